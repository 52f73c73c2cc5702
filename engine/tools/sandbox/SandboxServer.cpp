// SPDX-License-Identifier: GPL-3.0-or-later
#include "SandboxServer.h"

#include "mcp/JsonRpc.h"

#include <QDateTime>

namespace gatehouse {

SandboxServer::SandboxServer(RolliSandbox* sandbox, int inFd, int outFd, QObject* parent)
    : QObject(parent)
    , m_sandbox(sandbox)
    , m_lines(inFd, outFd, 16 * 1024 * 1024)
{
    connect(&m_lines, &StdioLines::lineReceived, this, &SandboxServer::onLine);
    connect(&m_lines, &StdioLines::closed, this, &SandboxServer::finished);
}

void SandboxServer::onLine(const QByteArray& line)
{
    const jsonrpc::Message m = jsonrpc::parse(line);
    if (m.kind == jsonrpc::Kind::Invalid)
        m_lines.write(
            jsonrpc::encode(jsonrpc::makeError(QJsonValue(QJsonValue::Null), m.errorCode, m.error)));
    else if (m.kind == jsonrpc::Kind::Request)
        m_lines.write(jsonrpc::encode(handle(m.object)));
}

QJsonObject SandboxServer::handle(const QJsonObject& request)
{
    const QJsonValue id = request.value(QLatin1String("id"));
    const QString method = request.value(QLatin1String("method")).toString();
    const QJsonObject params = request.value(QLatin1String("params")).toObject();
    if (method == u"initialize") {
        static const QStringList versions{QStringLiteral("2025-11-25"), QStringLiteral("2025-06-18"),
                                          QStringLiteral("2025-03-26"), QStringLiteral("2024-11-05")};
        const QString asked = params.value(QLatin1String("protocolVersion")).toString();
        return jsonrpc::makeResult(
            id,
            {{QStringLiteral("protocolVersion"), versions.contains(asked) ? asked : versions.first()},
             {QStringLiteral("capabilities"),
              QJsonObject{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), false}}}}},
             {QStringLiteral("serverInfo"),
              QJsonObject{{QStringLiteral("name"), QStringLiteral("rolli-sandbox")},
                          {QStringLiteral("version"), QStringLiteral("1.4.0-gatehouse")}}},
             {QStringLiteral("instructions"),
              QStringLiteral("Gatehouse's Rolli sandbox: Rolli's 30 tools on synthetic data. "
                             "Nothing here spends real credits.")}});
    }
    if (method == u"ping")
        return jsonrpc::makeResult(id, {});
    if (method == u"tools/list")
        return jsonrpc::makeResult(id, {{QStringLiteral("tools"), m_sandbox->tools()}});
    if (method == u"tools/call") {
        const QJsonValue args = params.value(QLatin1String("arguments"));
        if (!params.value(QLatin1String("name")).isString() || !(args.isUndefined() || args.isObject()))
            return jsonrpc::makeError(id, jsonrpc::InvalidParams,
                                      QStringLiteral("tools/call needs a name and object arguments"));
        const QString name = params.value(QLatin1String("name")).toString();
        if (std::none_of(m_sandbox->tools().begin(), m_sandbox->tools().end(), [&](const QJsonValue& t) {
                return t.toObject().value(QLatin1String("name")).toString() == name;
            }))
            return jsonrpc::makeError(id, jsonrpc::InvalidParams,
                                      QStringLiteral("Unknown tool: %1").arg(name));
        return jsonrpc::makeResult(
            id, m_sandbox->call(name, args.toObject(), QDateTime::currentMSecsSinceEpoch()));
    }
    return jsonrpc::makeError(id, jsonrpc::MethodNotFound,
                              QStringLiteral("Method not found: %1").arg(method));
}

} // namespace gatehouse
