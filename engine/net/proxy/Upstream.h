// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "UpstreamTransport.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <functional>
#include <memory>

namespace gatehouse {

class ClientSession;

// One upstream MCP server as the proxy sees it: client sessions send through it, and it maps every
// message back to the session it belongs to.
//
// Several sessions may share one transport (a stdio child). Then request ids and progress tokens are
// rewritten to be unique upstream and restored on the way back; the server is initialized once, with
// the first client's parameters, and later clients get the same InitializeResult; a request the server
// sends to "the client" goes to the one session with calls in flight, or is refused with -32601 when
// that cannot be told. A request that belongs to a call (the transport says so) goes to the session that
// made the call. Upstream speaks the session era only: EraAdapter, beneath it, meets the server's era.
class Upstream : public QObject
{
    Q_OBJECT
public:
    using ResponseHandler = std::function<void(const QJsonObject& response)>;

    Upstream(QString serverName, std::unique_ptr<UpstreamTransport> transport, QObject* parent = nullptr);
    ~Upstream() override;

    const QString& serverName() const { return m_serverName; }
    // How the server is reached (its command line or URL): part of its identity for tool pinning.
    const QString& address() const { return m_address; }
    void setAddress(QString address) { m_address = std::move(address); }
    UpstreamTransport& transport() const { return *m_transport; }
    void start();
    // Fails what is in flight with `reason`; until start(), every request is answered with an error.
    void stop(const QString& reason = QStringLiteral("the proxy is shutting down"));

    void attach(ClientSession* session);
    void detach(ClientSession* session);

    // Forwards a client's request. The handler always runs exactly once: with the upstream's response
    // (the client's id restored), or with a JSON-RPC error when the upstream fails, times out or goes away.
    void request(ClientSession* session, const QJsonObject& message, ResponseHandler handler);
    // The client cancelled one of its requests (notifications/cancelled): tell the upstream. Its
    // handler then gets an error response, so whatever waits on it is settled.
    void cancel(ClientSession* session, const QJsonValue& clientId, const QString& reason);
    void notify(ClientSession* session, const QJsonObject& notification);
    // A client's answer to a request this server sent it.
    void respond(ClientSession* session, const QJsonObject& response);

    void setRequestTimeoutMs(int ms) { m_timeoutMs = ms; }
    int requestTimeoutMs() const { return m_timeoutMs; }
    int pendingCount() const { return int(m_pending.size()); }

    static QJsonObject clientCapabilitiesUnion(const QJsonObject& capabilities);

signals:
    void logLine(const QString& line);
    void toolsListChanged();

private:
    struct Pending
    {
        QPointer<ClientSession> session;
        QJsonValue clientId;
        QString method;
        ResponseHandler handler;
        QDeadlineTimer deadline;
        QString progressToken; // upstream spelling, if the request carried one
    };
    struct ProgressRoute
    {
        QPointer<ClientSession> session;
        QJsonValue clientToken;
        QJsonValue clientId;
    };

    void onMessage(const QJsonObject& message, const QJsonValue& related);
    void onResponse(const QJsonObject& message);
    void onServerRequest(const QJsonObject& message, const QJsonValue& related);
    void onServerNotification(const QJsonObject& message);
    void onTransportReady();
    void onTransportLost(const QString& reason);
    void sendNow(const QJsonObject& message);
    void forward(ClientSession* session, QJsonObject message, ResponseHandler handler);
    void finish(qint64 upstreamId, const QJsonObject& response);
    void failAll(const QString& reason);
    void sweepDeadlines();
    void initialize(ClientSession* session, const QJsonObject& message, ResponseHandler handler);
    void sendInitialize();
    ClientSession* attribute() const;

    QString m_serverName;
    QString m_address;
    std::unique_ptr<UpstreamTransport> m_transport;
    QSet<ClientSession*> m_sessions;
    QHash<qint64, Pending> m_pending;
    QHash<QString, ProgressRoute> m_progress;
    struct ServerRequest
    {
        QPointer<ClientSession> session;
        QJsonValue id; // as the server sent it
    };
    QHash<QString, ServerRequest> m_serverRequests; // by idKey of a server->client request
    QList<QJsonObject> m_queue;                     // waiting for the transport or for initialization
    qint64 m_nextId = 1;
    qint64 m_nextToken = 1;
    int m_timeoutMs = 120'000;
    QTimer m_sweep;

    // Initialization of a shared transport.
    enum class InitState
    {
        None,
        Initializing,
        Ready
    };
    InitState m_init = InitState::None;
    bool m_stopped = false;
    QJsonObject m_initParams;
    QJsonObject m_initResult;
    struct InitWaiter
    {
        QPointer<ClientSession> session;
        QJsonValue clientId;
        ResponseHandler handler;
    };
    QList<InitWaiter> m_initWaiters;
    qint64 m_initRequestId = 0;
};

} // namespace gatehouse
