// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServeCommand.h"

#include "AdminAccess.h"
#include "TerminalApprover.h"
#include "approvals/AdminEndpoint.h"
#include "approvals/ApprovalBroker.h"
#include "audit/AuditLog.h"
#include "counters/InMemoryCounterStore.h"
#include "http/BearerToken.h"
#include "http/HttpServer.h"
#include "proxy/McpHttpEndpoint.h"
#include "proxy/PolicyGate.h"
#include "proxy/StdioEndpoint.h"
#include "proxy/StdioUpstream.h"
#include "proxy/Upstream.h"
#include "proxy/UpstreamServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace gatehouse::cli {

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(signalPipe[1], &byte, 1);
}

// SIGINT and SIGTERM end the event loop from a safe place, through a socket pair.
void installSignalHandlers(QObject* context)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto* notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [] {
        char byte;
        [[maybe_unused]] const auto n = ::read(signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action
    {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

} // namespace

int serve(const QStringList& args, QTextStream& out, QTextStream& err)
{
    Q_UNUSED(out);
    // Everything after "--" is the upstream command, untouched by option parsing.
    const qsizetype dashes = args.indexOf(QStringLiteral("--"));
    const QStringList options = dashes < 0 ? args : args.mid(0, dashes);
    const QStringList command = dashes < 0 ? QStringList() : args.mid(dashes + 1);

    QCommandLineParser parser;
    const QCommandLineOption policy(QStringLiteral("policy"), QStringLiteral("Policy file."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption listen(QStringLiteral("listen"), QStringLiteral("Address to listen on."),
                                    QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8731"));
    const QCommandLineOption token(QStringLiteral("token"), QStringLiteral("Bearer token clients must send."),
                                   QStringLiteral("TOKEN"));
    const QCommandLineOption noAuth(QStringLiteral("no-auth"),
                                    QStringLiteral("Accept clients without a token."));
    const QCommandLineOption stdio(QStringLiteral("stdio"), QStringLiteral("Speak MCP on stdin/stdout."));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("Server name in /mcp/NAME."),
                                  QStringLiteral("NAME"), QStringLiteral("default"));
    const QCommandLineOption timeout(QStringLiteral("upstream-timeout"),
                                     QStringLiteral("Seconds to wait for an upstream answer."),
                                     QStringLiteral("SECONDS"), QStringLiteral("120"));
    const QCommandLineOption upstreamUrl(
        QStringLiteral("upstream"), QStringLiteral("Upstream Streamable HTTP URL."), QStringLiteral("URL"));
    const QCommandLineOption header(QStringLiteral("header"), QStringLiteral("Header for the HTTP upstream."),
                                    QStringLiteral("'NAME: VALUE'"));
    const QCommandLineOption adminToken(QStringLiteral("admin-token"),
                                        QStringLiteral("Bearer token of the admin API."),
                                        QStringLiteral("TOKEN"));
    const QCommandLineOption adminFile(QStringLiteral("admin-file"),
                                       QStringLiteral("Where to write the admin API's address."),
                                       QStringLiteral("FILE"), AdminAccess::defaultFile());
    const QCommandLineOption auditFile(QStringLiteral("audit"), QStringLiteral("The audit database."),
                                       QStringLiteral("FILE"), AuditLog::defaultPath());
    const QCommandLineOption auditArguments(
        QStringLiteral("audit-arguments"),
        QStringLiteral("Keep full arguments in the audit log (default: keys and a hash)."));
    const QCommandLineOption retentionDays(QStringLiteral("audit-retention-days"),
                                           QStringLiteral("Drop audit rows older than this."),
                                           QStringLiteral("DAYS"), QStringLiteral("0"));
    const QCommandLineOption retentionRows(QStringLiteral("audit-retention-rows"),
                                           QStringLiteral("Keep at most this many rows."),
                                           QStringLiteral("ROWS"), QStringLiteral("0"));
    parser.addOptions({policy, listen, token, noAuth, stdio, name, timeout, upstreamUrl, header, adminToken,
                       adminFile, auditFile, auditArguments, retentionDays, retentionRows});
    if (!parser.parse(QStringList{QStringLiteral("gatehouse serve")} + options)) {
        err << "gatehouse serve: " << parser.errorText() << '\n';
        return 2;
    }
    auto usage = [&err](const QString& why) {
        err << "gatehouse serve: " << why << "\n"
            << "usage: gatehouse serve [--policy FILE] [--listen HOST:PORT] [--token TOKEN | --no-auth] "
               "[--stdio]\n"
               "                       [--name NAME] [--upstream-timeout SECONDS]\n"
               "                       (--upstream URL [--header 'NAME: VALUE']... | -- COMMAND [ARGS...])\n";
        return 2;
    };
    if (parser.isSet(upstreamUrl) == !command.isEmpty())
        return usage(QStringLiteral(
            "give the upstream server as --upstream URL or as -- COMMAND [ARGS...], one of the two"));
    UpstreamServer::Target target;
    if (parser.isSet(upstreamUrl)) {
        HttpUpstream::Endpoint endpoint;
        endpoint.url = QUrl(parser.value(upstreamUrl), QUrl::StrictMode);
        if (!endpoint.url.isValid() ||
            (endpoint.url.scheme() != u"http" && endpoint.url.scheme() != u"https"))
            return usage(QStringLiteral("--upstream must be an http:// or https:// URL"));
        for (const QString& h : parser.values(header)) {
            const qsizetype colon = h.indexOf(u':');
            const QByteArray headerName = h.left(colon).trimmed().toLatin1();
            if (colon <= 0 || headerName.contains(' ') || h.contains(u'\r') || h.contains(u'\n'))
                return usage(QStringLiteral("--header must look like 'Name: value', not %1").arg(h));
            endpoint.headers.append({headerName, h.mid(colon + 1).trimmed().toUtf8()});
        }
        target = endpoint;
    } else {
        if (parser.isSet(header))
            return usage(QStringLiteral("--header applies to an --upstream URL"));
        StdioUpstream::Command upstreamCommand;
        upstreamCommand.program = command.first();
        upstreamCommand.arguments = command.mid(1);
        target = upstreamCommand;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument %1").arg(parser.positionalArguments().first()));
    bool ok = false;
    const int timeoutSeconds = parser.value(timeout).toInt(&ok);
    if (!ok || timeoutSeconds < 1)
        return usage(QStringLiteral("--upstream-timeout must be a whole number of seconds"));

    const QString listenSpec = parser.value(listen);
    const qsizetype colon = listenSpec.lastIndexOf(u':');
    const QHostAddress address(colon > 0 ? listenSpec.left(colon).remove(u'[').remove(u']') : QString());
    const int port = colon > 0 ? listenSpec.mid(colon + 1).toInt(&ok) : -1;
    if (address.isNull() || !ok || port < 0 || port > 65535)
        return usage(QStringLiteral("--listen must be HOST:PORT with a numeric address, e.g. 127.0.0.1:0"));
    const bool serveMcpOverHttp = !parser.isSet(stdio) || parser.isSet(listen);

    installSignalHandlers(QCoreApplication::instance());

    auto logLine = [&err](const QString& line) {
        err << "gatehouse: " << line << '\n';
        err.flush();
    };

    PolicyGate gate(std::make_shared<InMemoryCounterStore>());
    QObject::connect(&gate, &PolicyGate::policyRejected, [&](const Diagnostics& errors) {
        logLine(QStringLiteral("policy %1 is invalid; keeping the last good policy%2")
                    .arg(gate.policyFile(),
                         gate.policy() ? QString() : QStringLiteral(" (none: every call is refused)")));
        for (const Diagnostic& d : errors)
            logLine(QStringLiteral("  ") + d.toString());
    });
    QObject::connect(&gate, &PolicyGate::policyChanged,
                     [&] { logLine(QStringLiteral("policy loaded from %1").arg(gate.policyFile())); });
    QObject::connect(&gate, &PolicyGate::callDecided, [&](const CallRecord& r) {
        logLine(QStringLiteral("%1 %2 %3 %4 %5")
                    .arg(r.time.toString(Qt::ISODateWithMs), r.server, r.tool, verdictName(r.verdict),
                         r.rule.isEmpty() ? QStringLiteral("(no rule)") : r.rule));
    });
    AuditLog::Options auditOptions;
    if (parser.isSet(auditArguments))
        auditOptions.fullArgumentServers.insert(parser.value(name));
    auditOptions.retentionDays = parser.value(retentionDays).toInt();
    auditOptions.retentionRows = parser.value(retentionRows).toLongLong();
    AuditLog auditLog(parser.value(auditFile), auditOptions);
    QString auditProblem;
    if (!auditLog.open(&auditProblem)) {
        // Fail closed: a proxy that cannot keep its record does not run.
        logLine(QStringLiteral("cannot open the audit log: %1").arg(auditProblem));
        return 1;
    }
    gate.setAudit(&auditLog);
    QObject::connect(&gate, &PolicyGate::auditFailed, logLine);
    QObject::connect(&auditLog, &AuditLog::writeFailed,
                     [&](const QString& why) { logLine(QStringLiteral("AUDIT LOG WRITE FAILED: ") + why); });
    logLine(QStringLiteral("audit log: %1").arg(auditLog.path()));

    ApprovalBroker broker;
    gate.setApprovals(&broker);
    QObject::connect(&broker, &ApprovalBroker::ruleRequested,
                     [&](const QString&, const QString& tool, ToolAction action) {
                         QString why;
                         if (gate.setToolAction(tool, action, &why))
                             logLine(QStringLiteral("policy now says %1 for %2 (decided at an approval)")
                                         .arg(toolActionName(action), tool));
                         else
                             logLine(QStringLiteral("cannot write the policy for %1: %2").arg(tool, why));
                     });
    QObject::connect(&broker, &ApprovalBroker::requested, [&](const ApprovalRequest& r) {
        logLine(
            QStringLiteral("approval %1 needed: %2 %3 (%4); answer with: gatehouse approvals approve|deny %1")
                .arg(r.id, r.server, r.tool, r.rule));
    });
    QObject::connect(&broker, &ApprovalBroker::resolved,
                     [&](const ApprovalRequest& r, const ApprovalAnswer& a) {
                         static const char* outcomes[] = {"allowed", "denied", "timed out", "cancelled"};
                         logLine(QStringLiteral("approval %1 %2 by %3%4")
                                     .arg(r.id, QLatin1String(outcomes[int(a.outcome)]), a.approver,
                                          a.note.isEmpty() ? QString() : QStringLiteral(": ") + a.note));
                     });
    if (parser.isSet(policy)) {
        gate.watchFile(parser.value(policy));
    } else {
        logLine(QStringLiteral("no --policy given: every tools/call is refused with \"(no policy)\""));
    }

    UpstreamServer upstream(parser.value(name), target);
    upstream.setRequestTimeoutMs(timeoutSeconds * 1000);
    QObject::connect(&upstream, &UpstreamServer::logLine, logLine);
    upstream.start();

    // HTTP always listens: for MCP clients unless --stdio alone, and for the admin API in any case.
    HttpServer http;
    const QHostAddress httpAddress = serveMcpOverHttp ? address : QHostAddress(QHostAddress::LocalHost);
    const quint16 httpPort = serveMcpOverHttp ? quint16(port) : 0;
    if (!http.listen(httpAddress, httpPort)) {
        logLine(QStringLiteral("cannot listen on %1: %2").arg(listenSpec, http.errorString()));
        return 1;
    }
    const QString base = QStringLiteral("http://%1:%2")
                             .arg(httpAddress.protocol() == QAbstractSocket::IPv6Protocol
                                      ? QStringLiteral("[%1]").arg(httpAddress.toString())
                                      : httpAddress.toString())
                             .arg(http.port());
    std::unique_ptr<McpHttpEndpoint> endpoint;
    if (serveMcpOverHttp) {
        McpHttpEndpoint::Options endpointOptions;
        endpointOptions.noAuth = parser.isSet(noAuth);
        if (!endpointOptions.noAuth) {
            QString t = parser.value(token);
            if (t.isEmpty())
                t = qEnvironmentVariable("GATEHOUSE_TOKEN");
            if (t.isEmpty()) {
                t = QString::fromLatin1(randomToken());
                logLine(QStringLiteral("bearer token for this launch: %1").arg(t));
            }
            endpointOptions.token = t.toUtf8();
        } else {
            logLine(
                QStringLiteral("WARNING: --no-auth: any local program can call tools through this proxy"));
        }
        endpoint = std::make_unique<McpHttpEndpoint>(&http, &gate, endpointOptions);
        endpoint->addServer(&upstream, true);
        logLine(QStringLiteral("listening on %1/mcp").arg(base));
    }

    const AdminAccess admin{base + QStringLiteral("/admin"), parser.isSet(adminToken)
                                                                 ? parser.value(adminToken)
                                                                 : QString::fromLatin1(randomToken())};
    AdminEndpoint adminEndpoint(&http, &broker, admin.token.toUtf8());
    QString adminProblem;
    if (admin.write(parser.value(adminFile), &adminProblem))
        logLine(QStringLiteral("admin API on %1 (address and token in %2)")
                    .arg(admin.url, parser.value(adminFile)));
    else
        logLine(QStringLiteral("admin API on %1, but %2 cannot be written: %3")
                    .arg(admin.url, parser.value(adminFile), adminProblem));

    std::unique_ptr<TerminalApprover> terminal;
    if (!parser.isSet(stdio) && ::isatty(0))
        terminal = std::make_unique<TerminalApprover>(&broker, err);

    std::unique_ptr<StdioEndpoint> stdioEndpoint;
    if (parser.isSet(stdio)) {
        stdioEndpoint = std::make_unique<StdioEndpoint>(&upstream, &gate);
        QObject::connect(stdioEndpoint.get(), &StdioEndpoint::finished, QCoreApplication::instance(),
                         &QCoreApplication::quit, Qt::QueuedConnection);
    }

    const int rc = QCoreApplication::exec();
    terminal.reset();
    stdioEndpoint.reset();
    endpoint.reset();
    http.close();
    upstream.stop();
    auditLog.flush();
    if (AdminAccess::read(parser.value(adminFile), &adminProblem).token == admin.token)
        QFile::remove(parser.value(adminFile)); // ours, not a later proxy's
    logLine(QStringLiteral("stopped"));
    return rc;
}

} // namespace gatehouse::cli
