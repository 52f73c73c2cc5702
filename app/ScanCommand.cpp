// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScanCommand.h"

#include "mcp/JsonRpc.h"
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"
#include "policy/RiskGuess.h"
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

// Sends one request through the upstream and waits for its answer (or the deadline).
QJsonObject ask(Upstream* upstream, const QString& method, const QJsonObject& params, int* nextId)
{
    QJsonObject answer;
    QEventLoop loop;
    upstream->request(nullptr, jsonrpc::makeRequest((*nextId)++, method, params),
                      [&](const QJsonObject& response) {
                          answer = response;
                          loop.quit();
                      });
    if (answer.isEmpty())
        loop.exec();
    return answer;
}

} // namespace

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
        HttpUpstream::Endpoint e;
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

    UpstreamServer server(QStringLiteral("scan"), target);
    server.setRequestTimeoutMs(30'000);
    QObject::connect(&server, &UpstreamServer::logLine, [&err](const QString& line) {
        if (!line.startsWith(u"upstream: "))
            err << "gatehouse scan: " << line << '\n';
    });
    Upstream* upstream = server.acquire();
    int nextId = 1;
    const QJsonObject init =
        ask(upstream, QStringLiteral("initialize"),
            {{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
             {QStringLiteral("capabilities"), QJsonObject()},
             {QStringLiteral("clientInfo"),
              QJsonObject{{QStringLiteral("name"), QStringLiteral("gatehouse-scan")},
                          {QStringLiteral("version"), QStringLiteral(GATEHOUSE_VERSION)}}}},
            &nextId);
    if (!init.contains(QStringLiteral("result"))) {
        err << "gatehouse scan: " << what << " did not initialize: "
            << init.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString()
            << '\n';
        server.release(upstream);
        return 1;
    }
    upstream->notify(nullptr, jsonrpc::makeNotification(QStringLiteral("notifications/initialized"), {}));
    QJsonArray tools;
    QString cursor;
    do {
        const QJsonObject page =
            ask(upstream, QStringLiteral("tools/list"),
                cursor.isEmpty() ? QJsonObject() : QJsonObject{{QStringLiteral("cursor"), cursor}}, &nextId);
        const QJsonObject result = page.value(QStringLiteral("result")).toObject();
        if (!page.contains(QStringLiteral("result"))) {
            err << "gatehouse scan: tools/list failed: "
                << page.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString()
                << '\n';
            server.release(upstream);
            return 1;
        }
        for (const QJsonValue& t : result.value(QStringLiteral("tools")).toArray())
            tools.append(t);
        cursor = result.value(QStringLiteral("nextCursor")).toString();
    } while (!cursor.isEmpty() && tools.size() < 10'000);
    server.release(upstream);

    // The starter policy: the catalogue's rule for each guessed class, each guess listed for review.
    Policy policy;
    policy.defaultAction = PolicyDefault::Deny;
    policy.tools = QHash<QString, ToolPolicy>();
    QStringList hidden, notes;
    for (const QJsonValue& t : tools) {
        const QString name = t.toObject().value(QStringLiteral("name")).toString();
        const RiskGuess g = guessRiskClass(t.toObject());
        notes << QStringLiteral("%1: %2 (%3)").arg(name, g.riskClass, g.reason);
        err << QStringLiteral("%1 %2 %3\n").arg(name, -40).arg(g.riskClass, -12).arg(g.reason);
        if (g.riskClass == u"Destructive") {
            hidden << name;
            continue;
        }
        const ToolPolicy tp = recommendedToolPolicy(name, g.riskClass);
        policy.tools->insert(name, tp);
    }
    if (!hidden.isEmpty())
        policy.hide = hidden;
    policy.description =
        QStringLiteral(
            "Starter policy from gatehouse scan of %1 on %2. Risk classes are GUESSES; review each: %3.")
            .arg(what, QDateTime::currentDateTimeUtc().toString(Qt::ISODate),
                 notes.join(QStringLiteral("; ")));
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
