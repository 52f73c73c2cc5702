// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalsCommand.h"
#include "AuditCommand.h"
#include "CheckCommand.h"
#include "CommandHelp.h"
#include "ConnectCommand.h"
#include "ExplainCommand.h"
#include "GrantsCommand.h"
#include "PinsCommand.h"
#ifdef GATEHOUSE_HAVE_GUI
#include "GuiCommand.h"

#include <QApplication>
#endif
#include "RolliPreset.h"
#include "SandboxCommand.h"
#include "ScanCommand.h"
#include "Secrets.h"
#include "ServeCommand.h"
#include "ServersCommand.h"
#include "WhatIfCommand.h"

#include <QCoreApplication>
#include <QTextStream>
#include <csignal>
#include <cstdio>

namespace {

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           qEnvironmentVariable("QT_QPA_PLATFORM") == u"offscreen";
}

} // namespace

int main(int argc, char* argv[])
{
    // A file-size limit (ulimit -f) makes a write fail with EFBIG instead of killing the process: the
    // audit log then reports the failure and the proxy fails closed.
    std::signal(SIGXFSZ, SIG_IGN);
    // COMMAND --help answers before anything starts (no display needed, even for gui).
    if (argc > 2) {
        QStringList rest;
        for (int i = 2; i < argc; ++i)
            rest << QString::fromLocal8Bit(argv[i]);
        const QString help = gatehouse::cli::commandHelp(QString::fromLocal8Bit(argv[1]));
        if (!help.isEmpty() && gatehouse::cli::asksForHelp(rest)) {
            QTextStream(stdout) << help;
            return 0;
        }
    }
    // The desktop app (no command, with a display; or "gui") needs a QApplication; the rest runs without.
    // `gatehouse -- COMMAND…` is the app in front of that command, as `gatehouse gui -- COMMAND…`.
    const bool dashes = argc > 1 && qstrcmp(argv[1], "--") == 0;
    const bool gui = (argc > 1 && qstrcmp(argv[1], "gui") == 0) || (argc == 1 && hasDisplay()) || dashes;
#ifdef GATEHOUSE_HAVE_GUI
    std::unique_ptr<QCoreApplication> app =
        gui ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
#else
    const auto app = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication::setApplicationName(QStringLiteral("gatehouse"));
    QCoreApplication::setOrganizationName(QStringLiteral("Gatehouse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GATEHOUSE_VERSION));
    if (gui) {
#ifdef GATEHOUSE_HAVE_GUI
        QApplication::setApplicationDisplayName(QStringLiteral("Gatehouse"));
        QApplication::setDesktopFileName(QStringLiteral("gatehouse"));
        return gatehouse::cli::gui(QCoreApplication::arguments().mid(dashes ? 1 : 2));
#else
        if (argc > 1) { // asked for by name; with no command at all, the help below is the answer
            QTextStream(stderr) << "gatehouse: this build has no desktop app (GATEHOUSE_BUILD_GUI=OFF); "
                                   "gatehouse serve runs the proxy headless\n";
            return 2;
        }
#endif
    }

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList args = QCoreApplication::arguments().mid(1);
    const QString command = args.isEmpty() ? QStringLiteral("help") : args.takeFirst();

    if (command == u"check")
        return gatehouse::cli::check(args, out, err);
    if (command == u"connect")
        return gatehouse::cli::connect(args, err);
    if (command == u"explain")
        return gatehouse::cli::explain(args, out, err);
    if (command == u"approvals")
        return gatehouse::cli::approvals(args, out, err);
    if (command == u"audit")
        return gatehouse::cli::audit(args, out, err);
    if (command == u"grants")
        return gatehouse::cli::grants(args, out, err);
    if (command == u"whatif")
        return gatehouse::cli::whatif(args, out, err);
    if (command == u"pins")
        return gatehouse::cli::pins(args, out, err);
    if (command == u"rolli") {
        QTextStream in(stdin);
        return gatehouse::cli::rolliCommand(args, in, out, err);
    }
    if (command == u"secrets") {
        QTextStream in(stdin);
        return gatehouse::cli::secretsCommand(args, in, out, err);
    }
    if (command == u"servers")
        return gatehouse::cli::servers(args, out, err);
    if (command == u"sandbox")
        return gatehouse::cli::sandbox(args, out, err);
    if (command == u"scan")
        return gatehouse::cli::scan(args, out, err);
    if (command == u"serve")
        return gatehouse::cli::serve(args, out, err);
    if (command == u"--version" || command == u"version") {
        out << "gatehouse " GATEHOUSE_VERSION "\n";
        return 0;
    }
    if (command == u"help" || command == u"--help" || command == u"-h") {
        out << gatehouse::cli::overviewHelp();
        return 0;
    }
    err << "gatehouse: unknown command \"" << command << "\"\n\n";
    err << gatehouse::cli::overviewHelp();
    return 2;
}
