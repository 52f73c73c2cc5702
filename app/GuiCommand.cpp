// SPDX-License-Identifier: GPL-3.0-or-later
#include "GuiCommand.h"

#include "ListenAddress.h"
#include "MainWindow.h"
#include "RolliPreset.h"
#include "Secrets.h"
#include "ServerSetup.h"
#include "SingleInstance.h"
#include "approvals/ApprovalStore.h"
#include "audit/AuditLog.h"
#include "config/Config.h"
#include "http/BearerToken.h"
#include "pins/ToolPins.h"
#include "policy/ToolCatalogue.h"
#include "proxy/Proxy.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTimer>

namespace gatehouse::cli {

namespace {

int fail(const QString& title, const QString& text)
{
    QTextStream(stderr) << "gatehouse: " << title << ": " << text << '\n';
    if (qEnvironmentVariableIsEmpty("GATEHOUSE_NO_DIALOGS"))
        QMessageBox::critical(nullptr, title, text);
    return 1;
}

bool isRolli(const ServerConfig& s)
{
    const QString all = s.command.join(u' ');
    return all.contains(QLatin1String("@rolli/mcp")) ||
           (s.command.size() >= 2 && s.command.last() == u"sandbox" &&
            QFileInfo(s.command.first()).fileName().startsWith(QLatin1String("gatehouse")));
}

} // namespace

int gui(const QStringList& args)
{
    QElapsedTimer startup;
    startup.start();
    const qsizetype dashes = args.indexOf(QStringLiteral("--"));
    const QStringList command = dashes < 0 ? QStringList() : args.mid(dashes + 1);
    QCommandLineParser parser;
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("Servers and grants."),
                                    QStringLiteral("FILE"), Config::defaultPath());
    const QCommandLineOption policy(QStringLiteral("policy"), QStringLiteral("Policy file."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption listen(QStringLiteral("listen"), QStringLiteral("Address to listen on."),
                                    QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8731"));
    const QCommandLineOption audit(QStringLiteral("audit"), QStringLiteral("The audit database."),
                                   QStringLiteral("FILE"), AuditLog::defaultPath());
    const QCommandLineOption approvals(QStringLiteral("approvals"),
                                       QStringLiteral("Approvals kept across requests and restarts."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption approvalsListen(QStringLiteral("approvals-listen"),
                                             QStringLiteral("Serve approval pages here too."),
                                             QStringLiteral("HOST:PORT"));
    const QCommandLineOption upstream(QStringLiteral("upstream"), QStringLiteral("Upstream URL."),
                                      QStringLiteral("URL"));
    const QCommandLineOption preset(QStringLiteral("preset"), QStringLiteral("rolli or rolli-sandbox."),
                                    QStringLiteral("NAME"));
    const QCommandLineOption minimized(QStringLiteral("minimized"), QStringLiteral("Start in the tray."));
    const QCommandLineOption newInstance(QStringLiteral("new-instance"),
                                         QStringLiteral("Run beside an app that is already running."));
    parser.addOptions({config, policy, listen, audit, approvals, approvalsListen, upstream, preset, minimized,
                       newInstance});
    if (!parser.parse(QStringList{QStringLiteral("gatehouse gui")} +
                      (dashes < 0 ? args : args.mid(0, dashes))))
        return fail(QStringLiteral("Gatehouse"), parser.errorText());

    // One app per user: a second launch raises the first and hands over its arguments.
    SingleInstance instance;
    if (!parser.isSet(newInstance)) {
        if (instance.handOver(args)) {
            QTextStream(stderr) << "gatehouse: Gatehouse is already running; its window was raised\n";
            return 0;
        }
        QString why;
        if (!instance.listen(&why))
            QTextStream(stderr) << "gatehouse: cannot watch for a second launch: " << why << '\n';
    }

    Diagnostics errors;
    std::optional<Config> loaded = Config::load(parser.value(config), &errors);
    if (!loaded)
        return fail(QObject::tr("Invalid configuration"),
                    QObject::tr("%1 is invalid: %2").arg(parser.value(config), errors.value(0).toString()));
    auto cfg = std::make_shared<Config>(std::move(*loaded));

    const QString self = QCoreApplication::applicationFilePath();
    QMap<QString, ServerConfig> servers;
    QString defaultPolicyError;
    const QString presetName = parser.value(preset);
    if (!presetName.isEmpty() && presetName != u"rolli" && presetName != u"rolli-sandbox")
        return fail(QStringLiteral("Gatehouse"), QObject::tr("--preset is rolli or rolli-sandbox"));
    if (presetName == u"rolli") {
        const QString policyFile = parser.isSet(policy)
                                       ? QFileInfo(parser.value(policy)).absoluteFilePath()
                                       : rolli::defaultPolicy(presetName, &defaultPolicyError);
        QString source;
        const std::optional<ServerConfig> real = rolli::realServer(policyFile, &source, &defaultPolicyError);
        if (policyFile.isEmpty() || !real)
            return fail(QObject::tr("Cannot start Rolli"), defaultPolicyError);
        servers.insert(presetName, *real);
    } else if (parser.isSet(upstream) || !command.isEmpty()) {
        // Named after what it runs, with a policy file of its own: a Save applies, a restart remembers.
        ServerConfig s;
        s.command = command;
        s.url = parser.value(upstream);
        const QString name = Config::suggestedServerName(s.command, s.url);
        s.policy = parser.isSet(policy) ? QFileInfo(parser.value(policy)).absoluteFilePath()
                                        : Config::defaultPolicyFile(name);
        servers.insert(name, s);
    } else if (!cfg->servers.isEmpty() && presetName.isEmpty()) {
        servers = cfg->servers;
        // The sandbox stays beside servers the person added in the app while it was shown.
        if (QSettings().value(QStringLiteral("servers/sandbox")).toBool() &&
            !servers.contains(QStringLiteral("rolli-sandbox"))) {
            const QString policyFile =
                rolli::defaultPolicy(QStringLiteral("rolli-sandbox"), &defaultPolicyError);
            if (!policyFile.isEmpty())
                servers.insert(QStringLiteral("rolli-sandbox"), rolli::sandboxServer(policyFile));
        }
    } else {
        // Nothing configured: the Rolli sandbox behind the recommended policy.
        const QString policyFile =
            parser.isSet(policy) ? QFileInfo(parser.value(policy)).absoluteFilePath()
                                 : rolli::defaultPolicy(QStringLiteral("rolli-sandbox"), &defaultPolicyError);
        if (policyFile.isEmpty())
            return fail(QObject::tr("Cannot start"), defaultPolicyError);
        servers.insert(QStringLiteral("rolli-sandbox"), rolli::sandboxServer(policyFile));
    }

    QString missingSecret;
    for (const QString& warning : secrets::plainTextWarnings(servers))
        QTextStream(stderr) << "gatehouse: WARNING: " << warning << '\n';
    for (auto it = servers.begin(); it != servers.end(); ++it)
        if (!serversetup::prepare(it.key(), *it, &missingSecret))
            return fail(QObject::tr("A server's credential is missing"), missingSecret);

    AuditLog auditLog(parser.value(audit));
    QString problem;
    if (!auditLog.open(&problem))
        return fail(QObject::tr("Cannot open the audit log"), problem);

    Proxy proxy(cfg, servers, &auditLog);
    QObject::connect(&proxy, &Proxy::logLine,
                     [](const QString& line) { QTextStream(stderr) << "gatehouse: " << line << '\n'; });
    proxy.watchConfig(parser.value(config));
    Proxy::Settings settings;
    const std::optional<ListenAddress> listenAt = parseListenAddress(parser.value(listen));
    if (!listenAt)
        return fail(QStringLiteral("Gatehouse"),
                    QObject::tr("--listen must be HOST:PORT, e.g. 127.0.0.1:8731"));
    settings.address = listenAt->address;
    settings.port = listenAt->port;
    settings.pinsPath = ToolPins::defaultPath();
    settings.approvalsPath =
        parser.isSet(approvals) ? parser.value(approvals) : ApprovalStore::pathBeside(auditLog.path());
    if (parser.isSet(approvalsListen)) {
        QString why;
        const auto at = parseApprovalsListen(parser.value(approvalsListen), &why);
        if (!at)
            return fail(QStringLiteral("Gatehouse"), why);
        settings.approvalsAddress = at->address;
        settings.approvalsPort = at->port;
    }
    settings.followConfigServers = true; // servers added in the app (or the file) are served at once
    proxy.setServerPreparer(&serversetup::prepare);
    settings.launchToken =
        qEnvironmentVariableIsEmpty("GATEHOUSE_TOKEN") ? randomToken() : qgetenv("GATEHOUSE_TOKEN");
    if (!proxy.start(settings, &problem))
        return fail(
            QObject::tr("Cannot start the proxy"),
            QObject::tr("%1\n\nIs another Gatehouse running? Start this one with --listen 127.0.0.1:0 "
                        "for a free port.")
                .arg(problem));

    ui::MainWindow::Setup setup;
    setup.proxy = &proxy;
    setup.auditPath = auditLog.path();
    const std::optional<ToolCatalogue> rolli =
        ToolCatalogue::fromFile(QStringLiteral(":/rolli/tools.json"), &problem);
    for (auto it = servers.cbegin(); it != servers.cend(); ++it)
        if (rolli && isRolli(*it))
            setup.catalogues.insert(it.key(), *rolli);
    const QString first = servers.firstKey();
    setup.connection.serverName = first;
    setup.connection.url = proxy.mcpUrl(first);
    setup.connection.token = QString::fromLatin1(settings.launchToken);
    setup.connection.configPath = parser.value(config);
    setup.keepSecrets = &serversetup::keepSecrets;
    setup.readSecret = [](const QString& name, QString* error) {
        QString source;
        return secrets::read(name, &source, error);
    };
    // Clients that can only launch a command reach this window's proxy through the bridge, so the app
    // sees and decides their calls too.
    setup.connection.stdioCommand = QStringList{self, QStringLiteral("connect"), setup.connection.url};

    ui::MainWindow window(setup); // sized to the last session's window, or to fit this screen
    if (!parser.isSet(minimized))
        window.show();
    else if (!QSystemTrayIcon::isSystemTrayAvailable())
        window.showMinimized(); // no tray to live in
    QObject::connect(&instance, &SingleInstance::activated, &window, [&window](const QStringList&) {
        window.showNormal();
        window.raise();
        window.activateWindow();
    });
    QTimer::singleShot(0, [&startup] {
        QTextStream(stderr) << "gatehouse: window shown after " << startup.elapsed() << " ms\n";
    });
    QTextStream(stderr) << "gatehouse: proxy listening on " << proxy.baseUrl() << "/mcp (token "
                        << settings.launchToken << ")\n";
    const int rc = QApplication::exec();
    proxy.stop();
    auditLog.flush();
    return rc;
}

} // namespace gatehouse::cli
