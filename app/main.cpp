// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalsCommand.h"
#include "AuditCommand.h"
#include "CheckCommand.h"
#include "ConnectCommand.h"
#include "ExplainCommand.h"
#include "GrantsCommand.h"
#ifdef GATEHOUSE_HAVE_GUI
#include "GuiCommand.h"

#include <QApplication>
#endif
#include "RolliPreset.h"
#include "SandboxCommand.h"
#include "ScanCommand.h"
#include "Secrets.h"
#include "ServeCommand.h"

#include <QCoreApplication>
#include <QTextStream>
#include <csignal>
#include <cstdio>

namespace {

void printHelp(QTextStream& out)
{
    out << "Gatehouse " GATEHOUSE_VERSION " - decides every MCP tool call before it runs.\n"
           "\n"
           "usage: gatehouse COMMAND [OPTIONS]\n"
           "\n"
           "commands:\n"
           "  check POLICY.json        validate a policy; prints \"valid\" or one line per error\n"
           "  explain POLICY.json --tool NAME [--args JSON] [--grant LABEL] [--calls N] [--approve]\n"
           "                           print the decision of N successive calls of a tool\n"
           "  serve [--policy FILE] [--listen HOST:PORT] [--token T | --no-auth] [--stdio] -- COMMAND "
           "[ARGS...]\n"
           "                           run the proxy in front of an MCP server started as COMMAND\n"
           "  approvals list | approve ID [--session|--always] | deny ID [--always] [--note TEXT]\n"
           "                           answer calls a running proxy holds for a person\n"
           "  audit verify | export --format jsonl|csv [--since T] [--grant G] [--tool T] [--db FILE]\n"
           "                           check the audit log's hash chain, or export it\n"
           "  grants add LABEL --server NAME [--policy FILE] | list | revoke LABEL\n"
           "                           labelled tokens for agents; the token is shown once\n"
           "  rolli token set | clear | status\n"
           "                           keep the Rolli API token in the keychain (set reads it from stdin);\n"
           "                           serve --preset rolli then runs npx -y @rolli/mcp with it\n"
           "  secrets set NAME | clear NAME | status NAME\n"
           "                           keep an upstream credential in the keychain (set reads it from "
           "stdin);\n"
           "                           a server's header or variable names it as {\"secret\": \"NAME\"}\n"
           "  sandbox [--seed N]       the Rolli sandbox: Rolli's 30 tools on synthetic data, an MCP server "
           "on stdio\n"
           "  scan [--output FILE] (--upstream URL | -- COMMAND [ARGS...])\n"
           "                           list any MCP server's tools and write a starter policy from guessed "
           "risk classes\n"
           "  gui [--policy FILE] [--listen HOST:PORT] [-- COMMAND [ARGS...]]\n"
           "                           the desktop app (the default with a display and no command)\n"
           "  connect [URL] [--token T] bridge stdio to a running Gatehouse (for clients that launch a "
           "command)\n"
           "  help                     this text\n"
           "  --version                print the version\n";
}

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
    // The desktop app (no command, with a display; or "gui") needs a QApplication; the rest runs without.
    const bool gui = (argc > 1 && qstrcmp(argv[1], "gui") == 0) || (argc == 1 && hasDisplay());
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
        return gatehouse::cli::gui(QCoreApplication::arguments().mid(2));
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
    if (command == u"rolli") {
        QTextStream in(stdin);
        return gatehouse::cli::rolliCommand(args, in, out, err);
    }
    if (command == u"secrets") {
        QTextStream in(stdin);
        return gatehouse::cli::secretsCommand(args, in, out, err);
    }
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
        printHelp(out);
        return 0;
    }
    err << "gatehouse: unknown command \"" << command << "\"\n\n";
    printHelp(err);
    return 2;
}
