// SPDX-License-Identifier: GPL-3.0-or-later
#include "StdioEndpoint.h"

#include "ClientSession.h"
#include "UpstreamServer.h"
#include "mcp/JsonRpc.h"

namespace gatehouse {

StdioEndpoint::StdioEndpoint(UpstreamServer* server, PolicyGate* gate, int inFd, int outFd, QObject* parent)
    : QObject(parent)
    , m_lines(inFd, outFd, MaxLineBytes)
    , m_server(server)
    , m_upstream(server->acquire())
    , m_session(new ClientSession(QStringLiteral("stdio"), QString(), m_upstream, gate, this))
{
    connect(&m_lines, &StdioLines::lineReceived, this, &StdioEndpoint::handleLine);
    connect(&m_lines, &StdioLines::overLong, this, [this] {
        write(jsonrpc::makeError(QJsonValue(QJsonValue::Null), jsonrpc::InvalidRequest,
                                 QStringLiteral("message longer than %1 bytes").arg(MaxLineBytes)));
    });
    connect(&m_lines, &StdioLines::closed, this, [this] {
        m_session->close();
        emit finished();
    });
    connect(m_session, &ClientSession::outgoing, this,
            [this](const QJsonObject& m, const QJsonValue&) { write(m); });
}

StdioEndpoint::~StdioEndpoint()
{
    m_session->close(/*shutdown=*/true); // stdin still open: Gatehouse stops, not the client
    m_server->release(m_upstream);
}

void StdioEndpoint::handleLine(const QByteArray& line)
{
    const jsonrpc::Message m = jsonrpc::parse(line);
    if (m.kind == jsonrpc::Kind::Invalid) {
        const QJsonValue id = m.object.value(QStringLiteral("id"));
        write(jsonrpc::makeError(id.isString() || id.isDouble() ? id : QJsonValue(QJsonValue::Null),
                                 m.errorCode, m.error));
        return;
    }
    m_session->receive(m.object);
}

void StdioEndpoint::write(const QJsonObject& message)
{
    m_lines.write(jsonrpc::encode(message));
}

} // namespace gatehouse
