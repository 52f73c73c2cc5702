// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectCommand.h"

#include "mcp/JsonRpc.h"
#include "mcp/StdioLines.h"
#include "proxy/HttpUpstream.h"
#include "proxy/StdioEndpoint.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace gatehouse::cli {

int connect(const QStringList& args, QTextStream& err)
{
    QCommandLineParser parser;
    const QCommandLineOption token(QStringLiteral("token"),
                                   QStringLiteral("Bearer token (default: $GATEHOUSE_TOKEN)."),
                                   QStringLiteral("T"));
    parser.addOption(token);
    parser.addPositionalArgument(QStringLiteral("url"), QStringLiteral("Default http://127.0.0.1:8731/mcp."));
    if (!parser.parse(QStringList{QStringLiteral("gatehouse connect")} + args) ||
        parser.positionalArguments().size() > 1) {
        err << "usage: gatehouse connect [URL] [--token TOKEN]\n";
        return 2;
    }
    HttpUpstream::Endpoint endpoint;
    endpoint.url = QUrl(parser.positionalArguments().value(0, QStringLiteral("http://127.0.0.1:8731/mcp")),
                        QUrl::StrictMode);
    if (!endpoint.url.isValid() || (endpoint.url.scheme() != u"http" && endpoint.url.scheme() != u"https")) {
        err << "gatehouse connect: the URL must be http:// or https://\n";
        return 2;
    }
    const QByteArray bearer =
        (parser.isSet(token) ? parser.value(token) : qEnvironmentVariable("GATEHOUSE_TOKEN")).toUtf8();
    if (!bearer.isEmpty())
        endpoint.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + bearer});

    // stdout carries only MCP; everything else goes to stderr.
    HttpUpstream upstream(endpoint);
    StdioLines stdio(0, 1, StdioEndpoint::MaxLineBytes);
    QObject::connect(&upstream, &HttpUpstream::logLine, [&err](const QString& line) {
        err << "gatehouse connect: " << line << '\n' << Qt::flush;
    });
    QObject::connect(&upstream, &HttpUpstream::messageReceived,
                     [&stdio](const QJsonObject& message) { stdio.write(jsonrpc::encode(message)); });
    QObject::connect(&stdio, &StdioLines::lineReceived, [&](const QByteArray& line) {
        if (line.trimmed().isEmpty())
            return;
        const jsonrpc::Message m = jsonrpc::parse(line);
        if (m.kind == jsonrpc::Kind::Invalid) { // answered here: no use sending what Gatehouse would refuse
            stdio.write(jsonrpc::encode(jsonrpc::makeError(QJsonValue(), m.errorCode, m.error)));
            return;
        }
        upstream.send(m.object);
    });
    QObject::connect(&stdio, &StdioLines::overLong, [&stdio] {
        stdio.write(jsonrpc::encode(
            jsonrpc::makeError(QJsonValue(), jsonrpc::InvalidRequest, QStringLiteral("message over 4 MiB"))));
    });
    QObject::connect(&stdio, &StdioLines::closed, [&upstream] {
        upstream.stop(); // ends the session (DELETE)
        QCoreApplication::quit();
    });
    upstream.start();
    err << "gatehouse connect: bridging stdio to " << endpoint.url.toString() << '\n' << Qt::flush;
    return QCoreApplication::exec();
}

} // namespace gatehouse::cli
