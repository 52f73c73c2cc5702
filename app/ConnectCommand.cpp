// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectCommand.h"

#include "config/ClientConfigFile.h"
#include "mcp/JsonRpc.h"
#include "mcp/StdioLines.h"
#include "proxy/StdioEndpoint.h"
#include "proxy/EraAdapter.h"
#include "proxy/SseUpstream.h"
#include "proxy/StreamableHttpUpstream.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>

namespace gatehouse::cli {

namespace {

// Writes Gatehouse's entry into a client's own MCP configuration: the difference first, then the file,
// with a backup of the old one.
int install(const QString& clientName, const QString& path, const QUrl& url, const QByteArray& bearer,
            bool dryRun, QTextStream& out, QTextStream& err)
{
    const auto client = ClientConfigFile::clientFromName(clientName);
    if (!client) {
        err << "gatehouse connect: --install takes claude, cursor or vscode\n";
        return 2;
    }
    const QJsonObject entry =
        ClientConfigFile::entryFor(*client, url.toString(), bearer, QCoreApplication::applicationFilePath());
    ClientConfigFile file(*client, path.isEmpty() ? ClientConfigFile::defaultPath(*client) : path);
    QString error;
    if (!file.merge(QStringLiteral("gatehouse"), entry, &error)) {
        err << "gatehouse connect: " << error << '\n';
        return 1;
    }
    if (!file.changes()) {
        out << "already configured: nothing to change\n";
        return 0;
    }
    out << file.diff() << '\n';
    if (dryRun) {
        out << "dry run: nothing written\n";
        return 0;
    }
    QString backup;
    if (!file.write(&backup, &error)) {
        err << "gatehouse connect: " << error << '\n';
        return 1;
    }
    out << "written"
        << (backup.isEmpty() ? QString() : QStringLiteral(" (the old file is kept as %1)").arg(backup))
        << '\n';
    return 0;
}

} // namespace

int connect(const QStringList& args, QTextStream& err)
{
    QCommandLineParser parser;
    const QCommandLineOption token(QStringLiteral("token"),
                                   QStringLiteral("Bearer token (default: $GATEHOUSE_TOKEN)."),
                                   QStringLiteral("T"));
    const QCommandLineOption installOption(
        QStringLiteral("install"),
        QStringLiteral("Write the entry into a client's config: claude, cursor, vscode."),
        QStringLiteral("CLIENT"));
    const QCommandLineOption configFile(QStringLiteral("config-file"),
                                        QStringLiteral("That client's config file."), QStringLiteral("FILE"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    QStringLiteral("Show the change, write nothing."));
    parser.addOptions({token, installOption, configFile, dryRun});
    parser.addPositionalArgument(QStringLiteral("url"), QStringLiteral("Default http://127.0.0.1:8731/mcp."));
    if (!parser.parse(QStringList{QStringLiteral("gatehouse connect")} + args) ||
        parser.positionalArguments().size() > 1) {
        err << "usage: gatehouse connect [URL] [--token TOKEN]\n"
               "       gatehouse connect [URL] [--token TOKEN] --install claude|cursor|vscode [--config-file "
               "FILE] "
               "[--dry-run]\n";
        return 2;
    }
    HttpTarget endpoint;
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

    if (parser.isSet(installOption)) {
        QTextStream out(stdout);
        return install(parser.value(installOption), parser.value(configFile), endpoint.url, bearer,
                       parser.isSet(dryRun), out, err);
    }

    // stdout carries only MCP; everything else goes to stderr.
    // As any upstream: an older HTTP+SSE server or one of the stateless era only is met in its own way.
    EraAdapter upstream(std::make_unique<StreamableHttpUpstream>(endpoint), EraAdapter::Prefer::Session,
                        [endpoint] { return std::make_unique<SseUpstream>(endpoint); });
    StdioLines stdio(0, 1, StdioEndpoint::MaxLineBytes);
    QObject::connect(&upstream, &UpstreamTransport::logLine, [&err](const QString& line) {
        err << "gatehouse connect: " << line << '\n' << Qt::flush;
    });
    QObject::connect(&upstream, &UpstreamTransport::messageReceived,
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
