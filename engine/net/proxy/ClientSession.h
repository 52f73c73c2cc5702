// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Upstream.h"
#include "decision/CallRecord.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

namespace gatehouse {

class CallGate;
class PolicyGate;

// One MCP client session, whichever way it arrived (Streamable HTTP or stdio). Every message from the
// client passes through receive(): tools/call goes to the session's CallGate, which decides and sees it
// through; tools/list is filtered, cancellations are passed on; everything else is forwarded untouched. Every
// message for the client leaves through outgoing(), tagged with the client request it belongs to.
class ClientSession : public QObject
{
    Q_OBJECT
public:
    ClientSession(QString id, QString grant, Upstream* upstream, PolicyGate* gate, QObject* parent = nullptr);
    ~ClientSession() override;

    const QString& id() const { return m_id; }
    const QString& grant() const { return m_grant; }
    // Who the agent said it is in its initialize (clientInfo name and version), for people to read.
    const QString& client() const { return m_client; }
    static QString clientLabel(const QJsonObject& clientInfo);
    Upstream* upstream() const { return m_upstream.data(); }
    // Whether the client can be sent a link to open for its person instead of an answer (2025-11-25 URL
    // elicitation, declared in its initialize): then a call that needs a person is answered -32042.
    bool takesUrlElicitation() const;
    // A session Gatehouse opened itself to serve stateless (2026-07-28) clients: what each of them can
    // take is in its request's _meta, and its answers are of that era.
    void setForStatelessClients() { m_forStatelessClients = true; }
    bool isForStatelessClients() const { return m_forStatelessClients; }
    // Who the upstream is, for tool pinning: its address and the serverInfo name it initialized with.
    QString pinIdentity() const;

    // One well-formed JSON-RPC message from the client.
    void receive(const QJsonObject& message);
    // A message from the upstream for this client; `related` is the client request it belongs to.
    void deliverFromUpstream(const QJsonObject& message, const QJsonValue& related);

    bool hasInFlight(const QJsonValue& clientId) const;
    int inFlightCount() const { return int(m_inFlight.size()); }
    // The client request most recently sent and still unanswered, or Undefined.
    QJsonValue latestInFlightId() const;
    qint64 idleMs() const { return m_inFlight.isEmpty() ? m_lastActivity.elapsed() : 0; }

    // Ends the session: whatever is in flight is cancelled upstream. Calls waiting for a person leave
    // their approvals open for the agent's retry (`shutdown`: because Gatehouse stops, not the client).
    void close(bool shutdown = false);
    // The connection that carried a request closed before its answer. In the session era that is no
    // cancellation, so an upstream call goes on; but a person is no longer asked about it.
    void connectionLost(const QJsonValue& clientId);

    // Sends notifications/tools/list_changed to the client (after a policy edit hid or showed tools).
    void notifyToolsChanged();

signals:
    void outgoing(const QJsonObject& message, const QJsonValue& related);

private:
    struct InFlight
    {
        QJsonValue clientId;
        qint64 order = 0;
    };

    friend class CallGate; // tracks and answers the calls it decides
    void handleRequest(const QJsonObject& message);
    void handleNotification(const QJsonObject& message);
    void reply(const QJsonObject& response);
    void track(const QJsonValue& clientId);
    void untrack(const QJsonValue& clientId);

    QString m_id;
    QString m_grant;
    QPointer<Upstream> m_upstream; // the proxy may stop it before the session ends
    QString m_serverInfoName;
    QString m_client;           // clientInfo "name version" from the client's initialize
    QJsonObject m_capabilities; // what the client declared it can answer
    QString m_protocolVersion;  // the version its initialize settled on
    bool m_forStatelessClients = false;
    PolicyGate* m_gate;
    QHash<QString, InFlight> m_inFlight;
    CallGate* m_calls; // a child: decides and sees through every tools/call
    qint64 m_order = 0;
    QElapsedTimer m_lastActivity;
    bool m_closed = false;
};

} // namespace gatehouse
