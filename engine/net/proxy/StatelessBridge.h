// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mcp/StatelessEra.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <functional>

namespace gatehouse {

class ClientSession;
class PolicyGate;
class Upstream;
class UpstreamServer;

// Serves clients of the stateless protocol (MCP 2026-07-28: no initialize, no session, every request on
// its own) from an upstream of the session era. One bridge per server and grant holds one session-era
// ClientSession, which Gatehouse initializes itself, so every stateless request is decided, approved,
// audited and monitored exactly like a session client's: the bridge only rewrites ids (stateless
// clients may reuse them), strips and adds the era's _meta, answers server/discover from the upstream's
// InitializeResult, turns a closed stream into a cancellation, and streams list_changed notifications to
// subscriptions/listen requests. When the upstream asks the client something while a call runs
// (elicitation, sampling, roots), the stateless client gets an input-required result instead, and its
// retry (carrying the answer and the requestState Gatehouse gave it) resumes the same call: the call is
// decided, approved and counted once.
class StatelessBridge : public QObject
{
    Q_OBJECT
public:
    // Receives every message for one request: notifications (progress) with final = false, then the
    // response with final = true. For subscriptions/listen, notifications until the stream is closed.
    using Sink = std::function<void(const QJsonObject& message, bool final)>;

    StatelessBridge(UpstreamServer* server, const QString& grant, PolicyGate* gate,
                    QObject* parent = nullptr);
    ~StatelessBridge() override;

    // One stateless request (already validated). Returns a ticket for cancel(), naming this stream.
    QString handle(const QJsonObject& request, Sink sink);
    // The client closed the request's stream: in this era, that cancels it (unless a retry carries it now).
    void cancel(const QString& ticket);
    qint64 idleMs() const;
    // The arguments each tool wants mirrored in Mcp-Param-* headers, from the tool lists clients were given.
    const stateless::ParamHeaders& paramHeaders() const { return m_paramHeaders; }

private:
    struct Pending
    {
        QJsonValue clientId;
        QString method;
        Sink sink;
        QJsonObject listenFor; // subscriptions/listen: the notifications it asked for stream here
        bool listens() const { return method == u"subscriptions/listen"; }
        QJsonObject clientCapabilities;
        int stream = 0; // which of the client's streams carries it now (a retry brings a new one)
    };
    // The upstream's questions for one call, put to a stateless client as one input-required result (the
    // questions asked together), until it retries.
    struct Question
    {
        QString key;      // in inputRequests and inputResponses: the server's own, when it is of this era
        QJsonValue askId; // the upstream's request id, to answer
        QJsonObject ask;  // {method, params}
    };
    struct Waiting
    {
        QString handle; // the call they belong to
        QList<Question> questions;
    };
    static bool mayAsk(const Pending& p, const QJsonObject& request);
    void start();
    void send(const QString& handle, const QJsonObject& request);
    void onOutgoing(const QJsonObject& message, const QJsonValue& related);
    void ask(const QString& handle, const QJsonObject& request);
    void putQuestions(const QString& handle);
    void answerQuestions(const Waiting& waiting, const QJsonObject& inputResponses);
    void answerDiscover(const QString& handle);
    void acknowledgeListen(const QString& handle);
    // The era's fields on a result: resultType, serverInfo, and cache hints on lists.
    QJsonObject decorate(QJsonObject result, const QString& method) const;

    UpstreamServer* m_server;
    Upstream* m_upstream;
    ClientSession* m_session;
    enum class State
    {
        New,
        Initializing,
        Ready,
        Failed
    } m_state = State::New;
    QJsonObject m_init; // the upstream's InitializeResult
    QString m_failure;
    QHash<QString, Pending> m_pending;          // by our id for the request
    QList<QPair<QString, QJsonObject>> m_queue; // requests (our id, as forwarded) waiting for initialization
    QHash<QString, Waiting> m_waiting;          // by the requestState handed to the client
    QHash<QString, QList<Question>> m_asking;   // by call: questions gathered in this turn of the loop
    qint64 m_nextId = 1;
    QElapsedTimer m_lastActivity;
    stateless::ParamHeaders m_paramHeaders;
};

} // namespace gatehouse
