// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServeCommand.h"

#include "AdminAccess.h"
#include "HeaderOption.h"
#include "ListenAddress.h"
#include "RolliPreset.h"
#include "Secrets.h"
#include "ServerSetup.h"
#include "Signals.h"
#include "TerminalApprover.h"
#include "approvals/ApprovalBroker.h"
#include "approvals/ApprovalStore.h"
#include "audit/AuditLog.h"
#include "config/Config.h"
#include "counters/RedisCounterStore.h"
#include "http/BearerToken.h"
#include "pins/ToolPins.h"
#include "proxy/Proxy.h"
#include "proxy/StdioEndpoint.h"
#include "proxy/UpstreamServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <unistd.h>

namespace gatehouse::cli {

namespace {

struct Options
{
    QCommandLineOption policy{QStringLiteral("policy"), QStringLiteral("Policy file."),
                              QStringLiteral("FILE")};
    QCommandLineOption listen{QStringLiteral("listen"), QStringLiteral("Address to listen on."),
                              QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8731")};
    QCommandLineOption token{QStringLiteral("token"), QStringLiteral("Bearer token clients may send."),
                             QStringLiteral("TOKEN")};
    QCommandLineOption noAuth{QStringLiteral("no-auth"), QStringLiteral("Accept clients without a token.")};
    QCommandLineOption noAuthOnNetwork{
        QStringLiteral("no-auth-on-network-anyone-can-call-tools"),
        QStringLiteral("Allow --no-auth on an address other machines reach (every tool open to them).")};
    QCommandLineOption stdio{QStringLiteral("stdio"), QStringLiteral("Speak MCP on stdin/stdout.")};
    QCommandLineOption name{QStringLiteral("name"), QStringLiteral("Server name in /mcp/NAME."),
                            QStringLiteral("NAME"), QStringLiteral("default")};
    QCommandLineOption timeout{QStringLiteral("upstream-timeout"),
                               QStringLiteral("Seconds to wait for an upstream answer."),
                               QStringLiteral("SECONDS"), QStringLiteral("120")};
    QCommandLineOption upstream{QStringLiteral("upstream"), QStringLiteral("Upstream Streamable HTTP URL."),
                                QStringLiteral("URL")};
    QCommandLineOption preset{
        QStringLiteral("preset"),
        QStringLiteral("rolli (the real server, token from ROLLI_API_TOKEN or the keychain) or "
                       "rolli-sandbox."),
        QStringLiteral("NAME")};
    QCommandLineOption header{QStringLiteral("header"), QStringLiteral("Header for the HTTP upstream."),
                              QStringLiteral("'NAME: VALUE'")};
    QCommandLineOption headerSecret{QStringLiteral("header-secret"),
                                    QStringLiteral("Header for the HTTP upstream whose value is a secret "
                                                   "(keychain or GATEHOUSE_SECRET_NAME)."),
                                    QStringLiteral("'NAME: SECRET'")};
    QCommandLineOption pins{
        QStringLiteral("pins"),
        QStringLiteral("Tool pins: definitions approved per server, changes held for review."),
        QStringLiteral("FILE"), ToolPins::defaultPath()};
    QCommandLineOption noPins{QStringLiteral("no-pins"), QStringLiteral("Do not pin tool definitions.")};
    QCommandLineOption config{QStringLiteral("config"), QStringLiteral("Configuration: servers and grants."),
                              QStringLiteral("FILE"), Config::defaultPath()};
    QCommandLineOption adminToken{QStringLiteral("admin-token"),
                                  QStringLiteral("Bearer token of the admin API."), QStringLiteral("TOKEN")};
    QCommandLineOption adminFile{QStringLiteral("admin-file"),
                                 QStringLiteral("Where to write the admin API's address."),
                                 QStringLiteral("FILE"), AdminAccess::defaultFile()};
    QCommandLineOption audit{QStringLiteral("audit"), QStringLiteral("The audit database."),
                             QStringLiteral("FILE"), AuditLog::defaultPath()};
    QCommandLineOption approvals{
        QStringLiteral("approvals"),
        QStringLiteral(
            "Approvals kept across requests and restarts (default: "
            "approvals.sqlite beside the audit database, or NAME-approvals.sqlite beside NAME.sqlite)."),
        QStringLiteral("FILE")};
    QCommandLineOption approvalsListen{
        QStringLiteral("approvals-listen"),
        QStringLiteral("Serve approval pages (only) on this address too, e.g. for a phone on the same "
                       "network; their links point there."),
        QStringLiteral("HOST:PORT")};
    QCommandLineOption auditFailure{
        QStringLiteral("audit-failure"),
        QStringLiteral("When the audit log cannot be written: refuse (default) or continue."),
        QStringLiteral("refuse|continue"), QStringLiteral("refuse")};
    QCommandLineOption auditArguments{QStringLiteral("audit-arguments"),
                                      QStringLiteral("Keep full arguments in the audit log.")};
    QCommandLineOption retentionDays{QStringLiteral("audit-retention-days"),
                                     QStringLiteral("Drop audit rows older than this."),
                                     QStringLiteral("DAYS"), QStringLiteral("0")};
    QCommandLineOption retentionRows{QStringLiteral("audit-retention-rows"),
                                     QStringLiteral("Keep at most this many rows."), QStringLiteral("ROWS"),
                                     QStringLiteral("0")};

    QCommandLineOption counters{QStringLiteral("counters"),
                                QStringLiteral("Where rate-limit counts live: memory (default) or "
                                               "redis://HOST:PORT/DB, shared by every proxy using it."),
                                QStringLiteral("memory|URL"), QStringLiteral("memory")};
    QCommandLineOption countersFailure{
        QStringLiteral("counters-failure"),
        QStringLiteral("When Redis cannot be reached: refuse calls with limits (closed, default) or run "
                       "them uncounted (open)."),
        QStringLiteral("closed|open"), QStringLiteral("closed")};

    QList<QCommandLineOption> all() const
    {
        return {policy,    listen,          token,          noAuth,       stdio,         name,
                timeout,   upstream,        preset,         header,       config,        adminToken,
                adminFile, audit,           auditArguments, auditFailure, retentionDays, retentionRows,
                counters,  countersFailure, headerSecret,   pins,         noPins,        noAuthOnNetwork,
                approvals, approvalsListen};
    }
};

const char Usage[] =
    "usage: gatehouse serve [--policy FILE] [--listen HOST:PORT] [--token TOKEN | --no-auth] [--stdio]\n"
    "                       [--name NAME] [--upstream-timeout SECONDS] [--config FILE] [--audit FILE]\n"
    "                       [--audit-arguments] [--audit-failure refuse|continue]\n"
    "                       [--audit-retention-days N] [--audit-retention-rows N] [--approvals FILE]\n"
    "                       [--approvals-listen HOST:PORT] [--admin-token TOKEN] [--admin-file FILE]\n"
    "                       [--counters memory|redis://HOST:PORT/DB] [--counters-failure closed|open]\n"
    "                       [--upstream URL [--header 'NAME: VALUE']... [--header-secret 'NAME: SECRET']...\n"
    "                        | -- COMMAND [ARGS...]]\n"
    "Without an upstream, every server of the configuration is served at /mcp/NAME.\n";

} // namespace

int serve(const QStringList& args, QTextStream& out, QTextStream& err)
{
    Q_UNUSED(out);
    // Everything after "--" is the upstream command, untouched by option parsing.
    const qsizetype dashes = args.indexOf(QStringLiteral("--"));
    const QStringList command = dashes < 0 ? QStringList() : args.mid(dashes + 1);
    const Options o;
    QCommandLineParser parser;
    parser.addOptions(o.all());
    if (!parser.parse(QStringList{QStringLiteral("gatehouse serve")} +
                      (dashes < 0 ? args : args.mid(0, dashes)))) {
        err << "gatehouse serve: " << parser.errorText() << '\n';
        return 2;
    }
    auto usage = [&err](const QString& why) {
        err << "gatehouse serve: " << why << '\n' << Usage;
        return 2;
    };
    auto logLine = [&err](const QString& line) {
        err << "gatehouse: " << line << '\n';
        err.flush();
    };
    if (parser.value(o.auditFailure) != u"refuse" && parser.value(o.auditFailure) != u"continue")
        return usage(QStringLiteral("--audit-failure is refuse or continue"));
    if (parser.value(o.countersFailure) != u"closed" && parser.value(o.countersFailure) != u"open")
        return usage(QStringLiteral("--counters-failure is closed or open"));
    std::shared_ptr<RedisCounterStore> redis;
    if (parser.value(o.counters) != u"memory") {
        QString why;
        std::optional<RedisCounterStore::Options> redisOptions =
            RedisCounterStore::parseUrl(parser.value(o.counters), &why);
        if (!redisOptions)
            return usage(QStringLiteral("--counters: ") + why);
        // The password belongs in the environment, not on a command line others can read in ps.
        if (redisOptions->password.isEmpty())
            redisOptions->password = qgetenv("GATEHOUSE_REDIS_PASSWORD");
        redisOptions->failOpen = parser.value(o.countersFailure) == u"open";
        redis = std::make_shared<RedisCounterStore>(std::move(*redisOptions));
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument %1").arg(parser.positionalArguments().first()));
    if (parser.isSet(o.upstream) && !command.isEmpty())
        return usage(QStringLiteral("give the upstream as --upstream URL or as -- COMMAND, not both"));
    bool ok = false;
    const int timeoutSeconds = parser.value(o.timeout).toInt(&ok);
    if (!ok || timeoutSeconds < 1)
        return usage(QStringLiteral("--upstream-timeout must be a whole number of seconds"));
    const std::optional<ListenAddress> listenAt = parseListenAddress(parser.value(o.listen));
    if (!listenAt)
        return usage(QStringLiteral("--listen must be HOST:PORT with a numeric address, e.g. 127.0.0.1:0"));

    // The configuration: servers and grants. Reloaded when it changes (a revoked grant stops working).
    const QString configPath = QFileInfo(parser.value(o.config)).absoluteFilePath();
    Diagnostics configErrors;
    std::optional<Config> loaded = Config::load(configPath, &configErrors);
    if (!loaded) {
        logLine(QStringLiteral("configuration %1 is invalid:").arg(configPath));
        for (const Diagnostic& d : configErrors)
            logLine(QStringLiteral("  ") + d.toString());
        return 1;
    }
    auto config = std::make_shared<Config>(std::move(*loaded));

    // The servers to front: the one on the command line, or the configuration's.
    QMap<QString, ServerConfig> servers;
    bool fromConfig = false;
    QString cliName = parser.value(o.name);
    if (parser.isSet(o.preset)) {
        const QString preset = parser.value(o.preset);
        if (parser.isSet(o.upstream) || !command.isEmpty())
            return usage(
                QStringLiteral("--preset names the upstream; give no --upstream or COMMAND with it"));
        if (preset != u"rolli" && preset != u"rolli-sandbox")
            return usage(QStringLiteral("--preset is rolli or rolli-sandbox, not %1").arg(preset));
        QString problem;
        const QString policyFile = parser.isSet(o.policy)
                                       ? QFileInfo(parser.value(o.policy)).absoluteFilePath()
                                       : rolli::defaultPolicy(preset, &problem);
        if (policyFile.isEmpty()) {
            logLine(problem);
            return 1;
        }
        if (preset == u"rolli-sandbox") {
            servers.insert(preset, rolli::sandboxServer(policyFile));
        } else {
            QString source;
            const std::optional<ServerConfig> real = rolli::realServer(policyFile, &source, &problem);
            if (!real) {
                logLine(problem);
                return 1;
            }
            logLine(QStringLiteral("Rolli API token from the %1 (passed to the server's environment only)")
                        .arg(source));
            servers.insert(preset, *real);
        }
        cliName = preset;
    } else if (parser.isSet(o.upstream) || !command.isEmpty()) {
        ServerConfig s = config->servers.value(cliName);
        s.command = command;
        s.url = parser.value(o.upstream);
        s.headers.clear();
        s.secretHeaders.clear();
        for (const QString& h : parser.values(o.header)) {
            const auto header = parseHeaderOption(h);
            if (!header)
                return usage(QStringLiteral("--header must look like 'Name: value', not %1").arg(h));
            s.headers.insert(header->first, header->second);
        }
        for (const QString& h : parser.values(o.headerSecret)) {
            const auto header = parseHeaderOption(h);
            if (!header || !ServerConfig::isValidSecretName(header->second))
                return usage(
                    QStringLiteral("--header-secret must look like 'Name: secret-name', not %1").arg(h));
            s.secretHeaders.insert(header->first, header->second);
        }
        if (parser.isSet(o.policy))
            s.policy = QFileInfo(parser.value(o.policy)).absoluteFilePath();
        s.auditArguments = s.auditArguments || parser.isSet(o.auditArguments);
        servers.insert(cliName, s);
    } else {
        servers = config->servers;
        fromConfig = true;
        if (servers.isEmpty())
            return usage(
                QStringLiteral("no upstream: give --upstream URL or -- COMMAND, or configure servers in %1")
                    .arg(configPath));
        if (parser.isSet(o.policy) || parser.isSet(o.header) || parser.isSet(o.headerSecret))
            return usage(QStringLiteral("--policy and --header go with an upstream on the command line; "
                                        "configured servers name their own"));
    }
    if (parser.isSet(o.stdio) && !servers.contains(cliName)) {
        if (servers.size() != 1)
            return usage(QStringLiteral("--stdio serves one server: name it with --name"));
    }

    // Credentials named as secrets come from the keychain (or GATEHOUSE_SECRET_*) now, into memory only.
    {
        QStringList found;
        QString missing;
        for (const QString& warning : secrets::plainTextWarnings(servers))
            logLine(QStringLiteral("WARNING: ") + warning);
        if (!secrets::resolve(&servers, &found, &missing)) {
            logLine(missing);
            return 1;
        }
        for (const QString& line : found)
            logLine(line);
    }

    quitOnTerminationSignals(QCoreApplication::instance());

    // The audit log comes first: a proxy that cannot keep its record does not run.
    AuditLog::Options auditOptions;
    for (auto it = servers.cbegin(); it != servers.cend(); ++it)
        if (it->auditArguments)
            auditOptions.fullArgumentServers.insert(it.key());
    auditOptions.retentionDays = parser.value(o.retentionDays).toInt();
    auditOptions.retentionRows = parser.value(o.retentionRows).toLongLong();
    AuditLog auditLog(parser.value(o.audit), auditOptions);
    QString problem;
    if (!auditLog.open(&problem)) {
        logLine(QStringLiteral("cannot open the audit log: %1").arg(problem));
        return 1;
    }
    QObject::connect(&auditLog, &AuditLog::writeFailed,
                     [&](const QString& why) { logLine(QStringLiteral("AUDIT LOG WRITE FAILED: ") + why); });
    QObject::connect(&auditLog, &AuditLog::recovered,
                     [&] { logLine(QStringLiteral("audit log writable again: calls are served")); });
    logLine(QStringLiteral("audit log: %1").arg(auditLog.path()));

    if (redis) {
        // Told from whichever thread noticed; logged from the event loop.
        redis->setStateListener([logLine](bool, const QString& why) {
            QMetaObject::invokeMethod(
                QCoreApplication::instance(), [logLine, why] { logLine(why); }, Qt::QueuedConnection);
        });
        QString why;
        if (redis->probe(&why))
            logLine(QStringLiteral("counters: shared in %1").arg(redis->describe()));
        else
            logLine(QStringLiteral("counters: %1 does not answer yet (%2); retrying on each call")
                        .arg(redis->describe(), why));
    }
    Proxy proxy(config, servers, &auditLog, redis);
    QObject::connect(&proxy, &Proxy::logLine, logLine);
    QObject::connect(&proxy, &Proxy::callDecided, [logLine](const CallRecord& r) {
        logLine(QStringLiteral("%1 %2 %3 %4 %5%6")
                    .arg(r.time.toString(Qt::ISODateWithMs), r.server, r.tool, verdictName(r.verdict),
                         r.rule.isEmpty() ? QStringLiteral("(no rule)") : r.rule,
                         r.grant.isEmpty() ? QString() : QStringLiteral(" grant ") + r.grant));
    });
    ApprovalBroker* broker = proxy.broker();
    QObject::connect(broker, &ApprovalBroker::requested, [&](const ApprovalRequest& r) {
        logLine(
            QStringLiteral("approval %1 needed: %2 %3 (%4); answer with: gatehouse approvals approve|deny %1")
                .arg(r.id, r.server, r.tool, r.rule));
    });
    QObject::connect(broker, &ApprovalBroker::resolved,
                     [&](const ApprovalRequest& r, const ApprovalAnswer& a) {
                         static const char* outcomes[] = {"allowed", "denied", "timed out", "cancelled"};
                         logLine(QStringLiteral("approval %1 %2 by %3%4")
                                     .arg(r.id, QLatin1String(outcomes[int(a.outcome)]), a.approver,
                                          a.note.isEmpty() ? QString() : QStringLiteral(": ") + a.note));
                     });
    proxy.watchConfig(configPath);

    // HTTP always listens: for MCP clients unless --stdio alone, and for the admin API in any case.
    Proxy::Settings settings;
    settings.serveMcpOverHttp = !parser.isSet(o.stdio) || parser.isSet(o.listen);
    settings.address = settings.serveMcpOverHttp ? listenAt->address : QHostAddress(QHostAddress::LocalHost);
    settings.port = settings.serveMcpOverHttp ? listenAt->port : 0;
    settings.defaultServer = cliName;
    // Serving the configuration's servers: its changes (servers added, changed, removed) apply live.
    settings.followConfigServers = fromConfig && !parser.isSet(o.stdio);
    proxy.setServerPreparer(&serversetup::resolveSecrets); // headless: no policy is made up for it
    settings.upstreamTimeoutSeconds = timeoutSeconds;
    settings.continueWithoutAudit = parser.value(o.auditFailure) == u"continue";
    if (settings.continueWithoutAudit)
        logLine(QStringLiteral(
            "--audit-failure continue: if the audit log cannot be written, calls run unrecorded"));
    settings.noAuth = parser.isSet(o.noAuth);
    // Who may call: a grant of the server, or the launch token (given, or made up and printed when the
    // server has no grants), or anyone with --no-auth.
    settings.launchToken =
        (parser.isSet(o.token) ? parser.value(o.token) : qEnvironmentVariable("GATEHOUSE_TOKEN")).toUtf8();
    if (parser.isSet(o.token))
        logLine(QStringLiteral("note: --token on the command line can be read by every local user (ps); "
                               "GATEHOUSE_TOKEN in the environment cannot"));
    const bool anyGrants = std::any_of(servers.keyBegin(), servers.keyEnd(),
                                       [&](const QString& s) { return !config->grantsOf(s).isEmpty(); });
    if (settings.serveMcpOverHttp && settings.noAuth && !listenAt->address.isLoopback()) {
        // The Host check stops browsers (DNS rebinding), not another machine, which can send any Host.
        if (!parser.isSet(o.noAuthOnNetwork))
            return usage(
                QStringLiteral(
                    "--no-auth on %1 would let any machine that reaches port %2 call every tool; use a "
                    "token (GATEHOUSE_TOKEN or grants), listen on 127.0.0.1, or add "
                    "--no-auth-on-network-anyone-can-call-tools if that is what you want")
                    .arg(listenAt->address.toString())
                    .arg(listenAt->port));
        logLine(QStringLiteral("WARNING: --no-auth on %1: ANY MACHINE that reaches port %2 can call every "
                               "tool through this proxy")
                    .arg(listenAt->address.toString())
                    .arg(listenAt->port));
    } else if (settings.serveMcpOverHttp && settings.noAuth) {
        logLine(QStringLiteral("WARNING: --no-auth: every program of every user on this machine can call "
                               "tools through this proxy"));
    } else if (settings.serveMcpOverHttp && settings.launchToken.isEmpty() && !anyGrants) {
        settings.launchToken = randomToken();
        logLine(QStringLiteral("bearer token for this launch: %1")
                    .arg(QString::fromLatin1(settings.launchToken)));
    }
    settings.pinsPath = parser.isSet(o.noPins) ? QString() : parser.value(o.pins);
    settings.approvalsPath =
        parser.isSet(o.approvals) ? parser.value(o.approvals) : ApprovalStore::pathBeside(auditLog.path());
    if (parser.isSet(o.approvalsListen)) {
        QString why;
        const auto at = parseApprovalsListen(parser.value(o.approvalsListen), &why);
        if (!at)
            return usage(why);
        settings.approvalsAddress = at->address;
        settings.approvalsPort = at->port;
    }
    settings.adminToken = parser.isSet(o.adminToken) ? parser.value(o.adminToken).toUtf8() : randomToken();
    if (!proxy.start(settings, &problem)) {
        logLine(problem);
        return problem.startsWith(QLatin1String("cannot listen")) ||
                       problem.startsWith(QLatin1String("tool pins"))
                   ? 1
                   : usage(problem);
    }
    if (settings.serveMcpOverHttp) {
        for (UpstreamServer* u : proxy.upstreams()) {
            const QStringList grants = config->grantsOf(u->name());
            if (servers.size() > 1)
                logLine(QStringLiteral("serving %1 at %2").arg(u->name(), proxy.mcpUrl(u->name())));
            if (!grants.isEmpty())
                logLine(
                    QStringLiteral("grants for %1: %2").arg(u->name(), grants.join(QStringLiteral(", "))));
        }
        logLine(QStringLiteral("listening on %1/mcp").arg(proxy.baseUrl()));
    }

    const AdminAccess admin{proxy.baseUrl() + QStringLiteral("/admin"),
                            QString::fromUtf8(settings.adminToken)};
    if (admin.write(parser.value(o.adminFile), &problem))
        logLine(QStringLiteral("admin API on %1 (address and token in %2)")
                    .arg(admin.url, parser.value(o.adminFile)));
    else
        logLine(QStringLiteral("admin API on %1, but %2 cannot be written: %3")
                    .arg(admin.url, parser.value(o.adminFile), problem));

    std::unique_ptr<TerminalApprover> terminal;
    if (!parser.isSet(o.stdio) && ::isatty(0))
        terminal = std::make_unique<TerminalApprover>(broker, err);

    std::unique_ptr<StdioEndpoint> stdioEndpoint;
    if (parser.isSet(o.stdio)) {
        UpstreamServer* u =
            proxy.upstreams().size() == 1 ? proxy.upstreams().first() : proxy.upstream(cliName);
        stdioEndpoint = std::make_unique<StdioEndpoint>(u, proxy.gateFor(u->name(), QString()));
        QObject::connect(stdioEndpoint.get(), &StdioEndpoint::finished, QCoreApplication::instance(),
                         &QCoreApplication::quit, Qt::QueuedConnection);
    }

    const int rc = QCoreApplication::exec();
    terminal.reset();
    stdioEndpoint.reset();
    proxy.stop();
    auditLog.flush();
    if (AdminAccess::read(parser.value(o.adminFile), &problem).token == admin.token)
        QFile::remove(parser.value(o.adminFile)); // ours, not a later proxy's
    logLine(QStringLiteral("stopped"));
    return rc;
}

} // namespace gatehouse::cli
