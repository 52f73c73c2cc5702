// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScanCommand.h"

#include "mcp/JsonRpc.h"
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"
#include "policy/StarterPolicy.h"
#include "policy/ToolCatalogue.h"
#include "proxy/Upstream.h"
#include "proxy/UpstreamServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QSaveFile>
#include <QTimer>

namespace gatehouse::cli {

namespace {

// Sends one request through the upstream and waits for its answer, the deadline, or the server's
// exit (a program that is not there fails at once instead of at the deadline).
QJsonObject ask(UpstreamServer* server, Upstream* upstream, const QString& method, const QJsonObject& params,
                int* nextId)
{
    struct Wait
    {
        QJsonObject answer;
        QEventLoop loop;
    };
    auto wait = std::make_shared<Wait>(); // the handler may run after this returns
    upstream->request(nullptr, jsonrpc::makeRequest((*nextId)++, method, params),
                      [wait](const QJsonObject& response) {
                          wait->answer = response;
                          wait->loop.quit();
                      });
    const QMetaObject::Connection exited =
        QObject::connect(server, &UpstreamServer::stateChanged, &wait->loop, [server, wait] {
            if (server->state() == UpstreamServer::State::Exited && wait->answer.isEmpty()) {
                wait->answer = jsonrpc::makeError(QJsonValue(), -32000, server->lastError());
                wait->loop.quit();
            }
        });
    if (wait->answer.isEmpty())
        wait->loop.exec();
    QObject::disconnect(exited);
    return wait->answer;
}

} // namespace

std::optional<QJsonArray> listServerTools(const UpstreamServer::Target& target, int timeoutMs, QString* error,
                                          QTextStream* log)
{
    UpstreamServer server(QStringLiteral("scan"), target);
    server.setRequestTimeoutMs(timeoutMs);
    QObject::connect(&server, &UpstreamServer::logLine, [log](const QString& line) {
        if (log && !line.startsWith(u"upstream: "))
            *log << "gatehouse scan: " << line << '\n';
    });
    Upstream* upstream = server.acquire();
    int nextId = 1;
    const QJsonObject init =
        ask(&server, upstream, QStringLiteral("initialize"),
            {{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
             {QStringLiteral("capabilities"), QJsonObject()},
             {QStringLiteral("clientInfo"),
              QJsonObject{{QStringLiteral("name"), QStringLiteral("gatehouse-scan")},
                          {QStringLiteral("version"), QStringLiteral(GATEHOUSE_VERSION)}}}},
            &nextId);
    if (!init.contains(QStringLiteral("result"))) {
        *error = QStringLiteral("it did not initialize: %1")
                     .arg(init.value(QStringLiteral("error"))
                              .toObject()
                              .value(QStringLiteral("message"))
                              .toString());
        return std::nullopt;
    }
    upstream->notify(nullptr, jsonrpc::makeNotification(QStringLiteral("notifications/initialized"), {}));
    QJsonArray tools;
    QString cursor;
    do {
        const QJsonObject page =
            ask(&server, upstream, QStringLiteral("tools/list"),
                cursor.isEmpty() ? QJsonObject() : QJsonObject{{QStringLiteral("cursor"), cursor}}, &nextId);
        const QJsonObject result = page.value(QStringLiteral("result")).toObject();
        if (!page.contains(QStringLiteral("result"))) {
            *error = QStringLiteral("tools/list failed: %1")
                         .arg(page.value(QStringLiteral("error"))
                                  .toObject()
                                  .value(QStringLiteral("message"))
                                  .toString());
            return std::nullopt;
        }
        for (const QJsonValue& t : result.value(QStringLiteral("tools")).toArray())
            tools.append(t);
        cursor = result.value(QStringLiteral("nextCursor")).toString();
    } while (!cursor.isEmpty() && tools.size() < 10'000);
    return tools;
}

int scan(const QStringList& args, QTextStream& out, QTextStream& err)
{
    const qsizetype dashes = args.indexOf(QStringLiteral("--"));
    const QStringList command = dashes < 0 ? QStringList() : args.mid(dashes + 1);
    QCommandLineParser parser;
    const QCommandLineOption output(QStringLiteral("output"),
                                    QStringLiteral("Write the policy here (default: stdout)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption upstreamUrl(QStringLiteral("upstream"), QStringLiteral("Streamable HTTP URL."),
                                         QStringLiteral("URL"));
    const QCommandLineOption header(QStringLiteral("header"), QStringLiteral("Header for the HTTP upstream."),
                                    QStringLiteral("'K: V'"));
    parser.addOptions({output, upstreamUrl, header});
    if (!parser.parse(QStringList{QStringLiteral("gatehouse scan")} +
                      (dashes < 0 ? args : args.mid(0, dashes))) ||
        parser.isSet(upstreamUrl) == !command.isEmpty() || !parser.positionalArguments().isEmpty()) {
        err << "usage: gatehouse scan [--output FILE] (--upstream URL [--header 'NAME: VALUE']... | -- "
               "COMMAND [ARGS...])\n";
        return 2;
    }
    UpstreamServer::Target target;
    QString what;
    if (parser.isSet(upstreamUrl)) {
        HttpTarget e;
        e.url = QUrl(parser.value(upstreamUrl), QUrl::StrictMode);
        for (const QString& h : parser.values(header)) {
            const qsizetype c = h.indexOf(u':');
            if (c > 0)
                e.headers.append({h.left(c).trimmed().toLatin1(), h.mid(c + 1).trimmed().toUtf8()});
        }
        target = e;
        what = e.url.toString();
    } else {
        StdioUpstream::Command c;
        c.program = command.first();
        c.arguments = command.mid(1);
        target = c;
        what = command.join(u' ');
    }

    QString why;
    const std::optional<QJsonArray> listed = listServerTools(target, 30'000, &why, &err);
    if (!listed) {
        err << "gatehouse scan: " << what << ": " << why << '\n';
        return 1;
    }
    const QJsonArray tools = *listed;
    QStringList guesses;
    const Policy policy = starterPolicy(tools, QStringLiteral("gatehouse scan of ") + what, &guesses);
    for (const QString& g : std::as_const(guesses))
        err << g << '\n';
    const QByteArray json = PolicyWriter::toJson(policy);
    if (!PolicyParser::parse(json).policy) {
        err << "gatehouse scan: the starter policy did not validate (a bug)\n";
        return 1;
    }
    if (parser.isSet(output)) {
        QSaveFile f(parser.value(output));
        if (!f.open(QIODevice::WriteOnly) || f.write(json) < 0 || !f.commit()) {
            err << "gatehouse scan: cannot write " << parser.value(output) << ": " << f.errorString() << '\n';
            return 1;
        }
        err << "gatehouse scan: " << tools.size() << " tools; starter policy written to "
            << parser.value(output) << '\n';
    } else {
        out << json;
    }
    return 0;
}

} // namespace gatehouse::cli
