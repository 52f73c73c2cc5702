// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientSession.h"

#include "CallGate.h"
#include "PolicyGate.h"
#include "Upstream.h"
#include "approvals/ApprovalBroker.h"
#include "mcp/ClientCapabilities.h"
#include "mcp/JsonRpc.h"
#include "pins/ToolPins.h"

#include "json/JsonWriter.h"
#include <QJsonArray>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

namespace gatehouse {

ClientSession::ClientSession(QString id, QString grant, Upstream* upstream, PolicyGate* gate, QObject* parent)
    : QObject(parent)
    , m_id(std::move(id))
    , m_grant(std::move(grant))
    , m_upstream(upstream)
    , m_gate(gate)
{
    m_lastActivity.start();
    m_calls = new CallGate(*this, *m_gate, m_gate->approvals(), m_gate->pins(), m_gate->approvalPage());
    m_upstream->attach(this);
    connect(m_gate, &PolicyGate::hiddenToolsChanged, this, &ClientSession::notifyToolsChanged);
    if (ToolPins* pins = m_gate->pins())
        connect(pins, &ToolPins::reviewsChanged, this, [this](const QString& server) {
            if (m_upstream && server == m_upstream->serverName())
                notifyToolsChanged();
        });
}

ClientSession::~ClientSession()
{
    close();
}

void ClientSession::close(bool shutdown)
{
    if (m_closed)
        return;
    m_closed = true;
    m_calls->withdrawAll(shutdown ? ApprovalBroker::Leaving::Shutdown : ApprovalBroker::Leaving::Cancelled);
    if (ApprovalBroker* broker = m_gate->approvals())
        broker->endSession(m_id);
    if (m_upstream)
        m_upstream->detach(this);
    m_inFlight.clear();
}

void ClientSession::connectionLost(const QJsonValue& clientId)
{
    if (m_calls->withdraw(clientId))
        untrack(clientId);
}

bool ClientSession::hasInFlight(const QJsonValue& clientId) const
{
    return m_inFlight.contains(jsonrpc::idKey(clientId));
}

QJsonValue ClientSession::latestInFlightId() const
{
    const InFlight* latest = nullptr;
    for (const InFlight& f : m_inFlight)
        if (!latest || f.order > latest->order)
            latest = &f;
    return latest ? latest->clientId : QJsonValue(QJsonValue::Undefined);
}

void ClientSession::track(const QJsonValue& clientId)
{
    m_inFlight.insert(jsonrpc::idKey(clientId), {clientId, ++m_order});
}

void ClientSession::untrack(const QJsonValue& clientId)
{
    m_inFlight.remove(jsonrpc::idKey(clientId));
    m_lastActivity.restart();
}

void ClientSession::reply(const QJsonObject& response)
{
    const QJsonValue id = response.value(QStringLiteral("id"));
    if (!hasInFlight(id))
        return; // the client cancelled it: no response is owed
    untrack(id);
    emit outgoing(response, id);
}

void ClientSession::receive(const QJsonObject& message)
{
    m_lastActivity.restart();
    if (m_closed)
        return;
    const jsonrpc::Message m = jsonrpc::classify(message);
    if (!m_upstream) { // the proxy is shutting down and its upstream is gone
        if (m.kind == jsonrpc::Kind::Request)
            emit outgoing(jsonrpc::makeError(m.id(), jsonrpc::InternalError,
                                             QStringLiteral("the upstream server stopped")),
                          m.id());
        return;
    }
    switch (m.kind) {
    case jsonrpc::Kind::Request:
        if (hasInFlight(m.id())) {
            // Ids must be unique among a sender's requests in flight; answering would be ambiguous.
            emit outgoing(jsonrpc::makeError(m.id(), jsonrpc::InvalidRequest,
                                             QStringLiteral("request id %1 is already in flight")
                                                 .arg(QString::fromUtf8(JsonWriter::canonical(m.id())))),
                          m.id());
            return;
        }
        handleRequest(message);
        return;
    case jsonrpc::Kind::Notification:
        handleNotification(message);
        return;
    case jsonrpc::Kind::Response:
        m_upstream->respond(this, message);
        return;
    case jsonrpc::Kind::Invalid:
        return;
    }
}

void ClientSession::handleRequest(const QJsonObject& message)
{
    const QString method = message.value(QStringLiteral("method")).toString();
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (method == u"tools/call") {
        m_calls->call(message);
        return;
    }
    if (method == u"initialize") {
        const QJsonObject params = message.value(QStringLiteral("params")).toObject();
        m_client = clientLabel(params.value(QStringLiteral("clientInfo")).toObject());
        m_capabilities = params.value(QStringLiteral("capabilities")).toObject();
    }
    track(id);
    QPointer<ClientSession> self(this);
    PolicyGate* gate = m_gate;
    m_upstream->request(this, message, [self, method, gate](const QJsonObject& response) {
        if (!self)
            return;
        QJsonObject out = response;
        QJsonObject result = response.value(QStringLiteral("result")).toObject();
        if (method == u"initialize" && response.contains(QStringLiteral("result"))) {
            self->m_protocolVersion = result.value(QStringLiteral("protocolVersion")).toString();
            // The proxy tells clients when a policy edit hides or shows tools.
            QJsonObject caps = result.value(QStringLiteral("capabilities")).toObject();
            QJsonObject tools = caps.value(QStringLiteral("tools")).toObject();
            tools.insert(QStringLiteral("listChanged"), true);
            caps.insert(QStringLiteral("tools"), tools);
            result.insert(QStringLiteral("capabilities"), caps);
            out.insert(QStringLiteral("result"), result);
            self->m_serverInfoName =
                result.value(QStringLiteral("serverInfo"))[QStringLiteral("name")].toString();
        } else if (method == u"tools/list" && response.contains(QStringLiteral("result"))) {
            QJsonArray tools = result.value(QStringLiteral("tools")).toArray();
            // Changed or new definitions of a pinned server wait for a person, out of sight.
            if (ToolPins* pins = gate->pins(); pins && self->m_upstream)
                tools = pins->screen(self->m_upstream->serverName(), tools, self->pinIdentity());
            QJsonArray visible;
            for (const QJsonValue& tool : std::as_const(tools))
                if (!gate->isHidden(tool.toObject().value(QStringLiteral("name")).toString()))
                    visible.append(tool);
            result.insert(QStringLiteral("tools"), visible);
            out.insert(QStringLiteral("result"), result);
        }
        self->reply(out);
    });
}

QString ClientSession::clientLabel(const QJsonObject& clientInfo)
{
    // Shown to the person deciding: printable characters only, and short, whatever the agent sent.
    auto clean = [](QString s, int max) {
        static const QRegularExpression unprintable(QStringLiteral("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]"));
        s.replace(unprintable, QStringLiteral(" "));
        s = s.simplified();
        return s.size() > max ? s.left(max - 1) + QChar(0x2026) : s;
    };
    const QString name = clean(clientInfo.value(QStringLiteral("name")).toString(), 60);
    const QString version = clean(clientInfo.value(QStringLiteral("version")).toString(), 24);
    if (name.isEmpty())
        return {};
    return version.isEmpty() ? name : name + u' ' + version;
}

bool ClientSession::takesUrlElicitation() const
{
    // -32042 and notifications/elicitation/complete are 2025-11-25's; 2026-07-28 dropped them.
    return !m_forStatelessClients && m_protocolVersion == u"2025-11-25" &&
           mcp::takesUrlElicitation(m_capabilities);
}

QString ClientSession::pinIdentity() const
{
    return ToolPins::identity(m_upstream ? m_upstream->address() : QString(), m_serverInfoName);
}

void ClientSession::handleNotification(const QJsonObject& message)
{
    const QString method = message.value(QStringLiteral("method")).toString();
    if (method == u"notifications/cancelled") {
        const QJsonObject params = message.value(QStringLiteral("params")).toObject();
        const QJsonValue requestId = params.value(QStringLiteral("requestId"));
        if (!hasInFlight(requestId))
            return;
        untrack(requestId);
        // Still waiting for a person: the question is withdrawn and the upstream never hears of it.
        if (m_calls->withdraw(requestId))
            return;
        m_upstream->cancel(this, requestId, params.value(QStringLiteral("reason")).toString());
        return;
    }
    m_upstream->notify(this, message);
}

void ClientSession::deliverFromUpstream(const QJsonObject& message, const QJsonValue& related)
{
    if (m_closed)
        return;
    if (message.contains(QStringLiteral("method")) && message.contains(QStringLiteral("id")) &&
        !mcp::clientCanAnswer(m_capabilities, message)) {
        // The upstream (told of every capability, as it serves several clients) asks what this client
        // did not declare: answered here, never passed to a client that cannot take it. Queued: the
        // upstream is in the middle of handing the request over.
        const QJsonObject refusal = jsonrpc::makeError(
            message.value(QStringLiteral("id")), jsonrpc::MethodNotFound,
            QStringLiteral("the client did not declare the %1 capability")
                .arg(mcp::capabilityFor(message.value(QStringLiteral("method")).toString())));
        QMetaObject::invokeMethod(
            this,
            [this, refusal] {
                if (m_upstream)
                    m_upstream->respond(this, refusal);
            },
            Qt::QueuedConnection);
        return;
    }
    emit outgoing(message, related);
}

void ClientSession::notifyToolsChanged()
{
    if (!m_closed)
        emit outgoing(jsonrpc::makeNotification(QStringLiteral("notifications/tools/list_changed"), {}),
                      QJsonValue(QJsonValue::Undefined));
}

} // namespace gatehouse
