// SPDX-License-Identifier: GPL-3.0-or-later
#include "SandboxServer.h"

#include "mcp/JsonRpc.h"

#include <QDateTime>
#include <cerrno>
#include <unistd.h>

namespace gatehouse {

SandboxServer::SandboxServer(RolliSandbox* sandbox, int inFd, int outFd, QObject* parent)
    : QObject(parent)
    , m_sandbox(sandbox)
    , m_in(inFd)
    , m_out(outFd)
    , m_notifier(inFd, QSocketNotifier::Read)
{
    connect(&m_notifier, &QSocketNotifier::activated, this, &SandboxServer::onReadable);
}

void SandboxServer::onReadable()
{
    char chunk[65536];
    const ssize_t n = ::read(m_in, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        m_notifier.setEnabled(false);
        emit finished();
        return;
    }
    m_buffer.append(chunk, n);
    qsizetype nl;
    while ((nl = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(nl).trimmed();
        m_buffer.remove(0, nl + 1);
        if (line.isEmpty())
            continue;
        const jsonrpc::Message m = jsonrpc::parse(line);
        if (m.kind == jsonrpc::Kind::Invalid)
            write(jsonrpc::makeError(QJsonValue(QJsonValue::Null), m.errorCode, m.error));
        else if (m.kind == jsonrpc::Kind::Request)
            write(handle(m.object));
    }
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

void SandboxServer::write(const QJsonObject& message)
{
    const QByteArray line = jsonrpc::encode(message) + '\n';
    qsizetype done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(m_out, line.constData() + done, size_t(line.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        done += n;
    }
}

} // namespace gatehouse
