// SPDX-License-Identifier: GPL-3.0-or-later
#include "LocalClient.h"

#include "ClientSession.h"
#include "PolicyGate.h"
#include "Upstream.h"
#include "UpstreamServer.h"
#include "http/BearerToken.h"
#include "mcp/JsonRpc.h"
#include "pins/ToolPins.h"

#include <QCoreApplication>

namespace gatehouse {

LocalClient::LocalClient(UpstreamServer* server, PolicyGate* gate, const QString& grant, QObject* parent)
    : QObject(parent)
    , m_server(server)
    , m_gate(gate)
    , m_upstream(server->acquire())
    , m_session(new ClientSession(QStringLiteral("app-") + QString::fromLatin1(randomToken().left(8)), grant,
                                  m_upstream, gate, this))
{
    connect(m_session, &ClientSession::outgoing, this, &LocalClient::onOutgoing);
    connect(m_upstream, &Upstream::toolsListChanged, this, &LocalClient::toolsListChanged);
}

LocalClient::~LocalClient()
{
    m_session->close();
    if (m_upstream)
        m_server->release(m_upstream);
}

void LocalClient::initialize()
{
    m_state = State::Initializing;
    const QJsonObject params{
        {QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
        {QStringLiteral("capabilities"), QJsonObject()},
        {QStringLiteral("clientInfo"),
         QJsonObject{{QStringLiteral("name"), QStringLiteral("gatehouse-app")},
                     {QStringLiteral("version"), QCoreApplication::applicationVersion()}}}};
    const QString id = QStringLiteral("app-%1").arg(m_nextId++);
    m_handlers.insert(jsonrpc::idKey(id), [this](const QJsonObject& response) {
        if (response.contains(QStringLiteral("error"))) {
            m_state = State::Failed;
            m_failure = response.value(QStringLiteral("error"))
                            .toObject()
                            .value(QStringLiteral("message"))
                            .toString();
        } else {
            m_state = State::Ready;
            m_session->receive(jsonrpc::makeNotification(QStringLiteral("notifications/initialized"), {}));
        }
        const auto waiting = std::exchange(m_waiting, {});
        for (const auto& then : waiting)
            then();
    });
    m_session->receive(jsonrpc::makeRequest(id, QStringLiteral("initialize"), params));
}

void LocalClient::whenReady(std::function<void()> then)
{
    if (m_state == State::Failed)
        m_state = State::New; // a server that failed once (still starting, restarted) may answer now
    if (m_state == State::Ready) {
        then();
        return;
    }
    m_waiting.append(std::move(then));
    if (m_state == State::New)
        initialize();
}

void LocalClient::listTools(Handler handler)
{
    whenReady([this, handler = std::move(handler)] {
        if (m_state != State::Ready || !m_upstream) {
            handler(jsonrpc::makeError(QJsonValue(), jsonrpc::InternalError,
                                       QStringLiteral("the server did not initialize: ") + m_failure));
            return;
        }
        // Straight to the upstream, past the session's tools/list filter; pinning still sees the listing,
        // so the app notices a changed tool as soon as it looks.
        const QJsonObject request =
            jsonrpc::makeRequest(QStringLiteral("app-%1").arg(m_nextId++), QStringLiteral("tools/list"), {});
        ToolPins* pins = m_gate->pins();
        const QString server = m_server->name();
        const QString identity = m_session->pinIdentity();
        m_upstream->request(
            m_session, request,
            [pins = QPointer<ToolPins>(pins), server, identity, handler](const QJsonObject& r) {
                if (pins)
                    pins->screen(server, r.value(QStringLiteral("result"))[QStringLiteral("tools")].toArray(),
                                 identity);
                handler(r);
            });
    });
}

void LocalClient::callTool(const QString& tool, const QJsonObject& arguments, Handler handler)
{
    whenReady([this, tool, arguments, handler = std::move(handler)] {
        const QString id = QStringLiteral("app-%1").arg(m_nextId++);
        m_handlers.insert(jsonrpc::idKey(id), handler);
        m_session->receive(jsonrpc::makeRequest(
            id, QStringLiteral("tools/call"),
            QJsonObject{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}}));
    });
}

void LocalClient::onOutgoing(const QJsonObject& message, const QJsonValue& related)
{
    Q_UNUSED(related);
    if (jsonrpc::classify(message).kind != jsonrpc::Kind::Response)
        return; // progress and list_changed: the app learns of those elsewhere
    const Handler handler = m_handlers.take(jsonrpc::idKey(message.value(QStringLiteral("id"))));
    if (handler)
        handler(message);
}

} // namespace gatehouse
