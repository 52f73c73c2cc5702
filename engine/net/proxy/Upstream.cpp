// SPDX-License-Identifier: GPL-3.0-or-later
#include "Upstream.h"

#include "ClientSession.h"
#include "mcp/JsonRpc.h"

#include "json/JsonWriter.h"
#include <QTimer>

namespace gatehouse {

namespace {
const QString Method = QStringLiteral("method");
const QString Params = QStringLiteral("params");
const QString Meta = QStringLiteral("_meta");
const QString ProgressToken = QStringLiteral("progressToken");
constexpr qsizetype MaxQueued = 10'000;

QJsonObject withId(QJsonObject message, const QJsonValue& id)
{
    message.insert(QStringLiteral("id"), id);
    return message;
}
} // namespace

Upstream::Upstream(QString serverName, std::unique_ptr<UpstreamTransport> transport, QObject* parent)
    : QObject(parent)
    , m_serverName(std::move(serverName))
    , m_transport(std::move(transport))
{
    m_transport->setParent(nullptr);
    connect(m_transport.get(), &UpstreamTransport::messageReceived, this, &Upstream::onMessage);
    connect(m_transport.get(), &UpstreamTransport::ready, this, &Upstream::onTransportReady);
    connect(m_transport.get(), &UpstreamTransport::lost, this, &Upstream::onTransportLost);
    connect(m_transport.get(), &UpstreamTransport::logLine, this, &Upstream::logLine);
    m_sweep.setInterval(250);
    connect(&m_sweep, &QTimer::timeout, this, &Upstream::sweepDeadlines);
}

Upstream::~Upstream()
{
    stop();
}

void Upstream::start()
{
    m_stopped = false;
    m_sweep.start();
    m_transport->start();
}

void Upstream::stop(const QString& reason)
{
    m_stopped = true;
    m_sweep.stop();
    failAll(reason);
    // Nothing queued for this process may reach the next one, and a shared server started again is
    // initialized again before anything else (as after a crash).
    m_queue.clear();
    if (m_init == InitState::Ready)
        m_init = InitState::Initializing;
    m_transport->stop();
}

void Upstream::attach(ClientSession* session)
{
    m_sessions.insert(session);
}

void Upstream::detach(ClientSession* session)
{
    m_sessions.remove(session);
    // Whatever the session still waits for upstream is cancelled; its handlers settle as errors.
    QList<qint64> mine;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it)
        if (it->session == session || it->session.isNull())
            mine.append(it.key());
    for (qint64 id : mine) {
        const Pending& p = m_pending[id];
        if (p.method != u"initialize")
            sendNow(jsonrpc::makeNotification(
                QStringLiteral("notifications/cancelled"),
                {{QStringLiteral("requestId"), id},
                 {QStringLiteral("reason"), QStringLiteral("client session ended")}}));
        finish(id, jsonrpc::makeError(id, jsonrpc::InternalError, QStringLiteral("client session ended")));
    }
    // Requests the server sent to this session will get no answer from it: answer them here.
    for (auto it = m_serverRequests.begin(); it != m_serverRequests.end();) {
        if (it->session == session || it->session.isNull()) {
            sendNow(
                jsonrpc::makeError(it->id, jsonrpc::InternalError, QStringLiteral("the client has gone")));
            it = m_serverRequests.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_progress.begin(); it != m_progress.end();)
        it = (it->session == session || it->session.isNull()) ? m_progress.erase(it) : std::next(it);
}

void Upstream::request(ClientSession* session, const QJsonObject& message, ResponseHandler handler)
{
    if (m_stopped) {
        // Stopped by a person: said at once, not after the deadline (the sweep is off too).
        QTimer::singleShot(
            0, this,
            [h = std::move(handler),
             r = jsonrpc::makeError(
                 message.value(QStringLiteral("id")), -32000,
                 QStringLiteral("upstream server %1 was stopped in Gatehouse").arg(m_serverName))] { h(r); });
        return;
    }
    if (m_transport->isShared() && message.value(Method).toString() == u"initialize") {
        initialize(session, message, std::move(handler));
        return;
    }
    forward(session, message, std::move(handler));
}

void Upstream::forward(ClientSession* session, QJsonObject message, ResponseHandler handler)
{
    const qint64 id = m_nextId++;
    Pending p;
    p.session = session;
    p.clientId = message.value(QStringLiteral("id"));
    p.method = message.value(Method).toString();
    p.handler = std::move(handler);
    p.deadline = QDeadlineTimer(m_timeoutMs);

    // Progress tokens are per client; upstream they must be unique across all clients.
    QJsonObject params = message.value(Params).toObject();
    QJsonObject meta = params.value(Meta).toObject();
    if (meta.contains(ProgressToken)) {
        p.progressToken = QStringLiteral("gh-%1").arg(m_nextToken++);
        m_progress.insert(p.progressToken, {session, meta.value(ProgressToken), p.clientId});
        meta.insert(ProgressToken, p.progressToken);
        params.insert(Meta, meta);
        message.insert(Params, params);
    }
    m_pending.insert(id, std::move(p));
    sendNow(withId(message, id));
}

void Upstream::cancel(ClientSession* session, const QJsonValue& clientId, const QString& reason)
{
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it->session == session && jsonrpc::idKey(it->clientId) == jsonrpc::idKey(clientId)) {
            const qint64 id = it.key();
            QJsonObject params{{QStringLiteral("requestId"), id}};
            if (!reason.isEmpty())
                params.insert(QStringLiteral("reason"), reason);
            sendNow(jsonrpc::makeNotification(QStringLiteral("notifications/cancelled"), params));
            emit logLine(QStringLiteral(
                             "%1: client cancelled request %2; notifications/cancelled sent upstream for %3")
                             .arg(m_serverName, QString::fromUtf8(JsonWriter::canonical(clientId)))
                             .arg(id));
            finish(id, jsonrpc::makeError(id, jsonrpc::InternalError,
                                          QStringLiteral("request cancelled by the client")));
            return;
        }
    }
}

void Upstream::notify(ClientSession*, const QJsonObject& notification)
{
    // A shared server was told "initialized" by the proxy itself, once.
    if (m_transport->isShared() && notification.value(Method).toString() == u"notifications/initialized")
        return;
    sendNow(notification);
}

void Upstream::respond(ClientSession* session, const QJsonObject& response)
{
    const QString key = jsonrpc::idKey(response.value(QStringLiteral("id")));
    const auto it = m_serverRequests.constFind(key);
    if (it == m_serverRequests.constEnd() || it->session != session)
        return; // not a request of this server to this session: drop rather than misroute
    m_serverRequests.remove(key);
    sendNow(response);
}

void Upstream::sendNow(const QJsonObject& message)
{
    const QString method = message.value(Method).toString();
    const bool waitForInit = m_transport->isShared() && m_init == InitState::Initializing &&
                             method != u"initialize" && method != u"notifications/initialized";
    if (!m_transport->isReady() || waitForInit) {
        if (m_queue.size() < MaxQueued)
            m_queue.append(message);
        return;
    }
    m_transport->send(message);
}

void Upstream::onTransportReady()
{
    if (m_transport->isShared() && m_init != InitState::None) {
        // The child was restarted: it must be initialized again before anything else reaches it.
        sendInitialize();
    }
    const QList<QJsonObject> queued = std::exchange(m_queue, {});
    for (const QJsonObject& m : queued)
        sendNow(m);
}

void Upstream::onTransportLost(const QString& reason)
{
    emit logLine(QStringLiteral("%1: %2").arg(m_serverName, reason));
    failAll(QStringLiteral("upstream server %1 went away: %2").arg(m_serverName, reason));
    m_queue.clear();
    if (m_init == InitState::Ready)
        m_init = InitState::Initializing; // re-initialized when it comes back
}

void Upstream::failAll(const QString& reason)
{
    const QList<qint64> ids = m_pending.keys();
    for (qint64 id : ids) {
        if (id == m_initRequestId)
            continue;
        finish(id, jsonrpc::makeError(id, jsonrpc::InternalError, reason));
    }
    m_serverRequests.clear();
}

void Upstream::onMessage(const QJsonObject& message, const QJsonValue& related)
{
    const jsonrpc::Message m = jsonrpc::classify(message);
    switch (m.kind) {
    case jsonrpc::Kind::Response:
        onResponse(message);
        break;
    case jsonrpc::Kind::Request:
        onServerRequest(message, related);
        break;
    case jsonrpc::Kind::Notification:
        onServerNotification(message);
        break;
    case jsonrpc::Kind::Invalid:
        break;
    }
}

void Upstream::onResponse(const QJsonObject& message)
{
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (!id.isDouble())
        return; // we only ever send integer ids
    const qint64 upstreamId = qint64(id.toDouble());
    if (upstreamId == m_initRequestId && m_initRequestId != 0) {
        m_pending.remove(upstreamId);
        m_initRequestId = 0;
        if (message.contains(QStringLiteral("error"))) {
            m_init = InitState::None;
            for (const InitWaiter& w : std::exchange(m_initWaiters, {}))
                w.handler(withId(message, w.clientId));
            m_queue.clear();
            return;
        }
        m_initResult = message.value(QStringLiteral("result")).toObject();
        m_init = InitState::Ready;
        m_transport->send(jsonrpc::makeNotification(QStringLiteral("notifications/initialized"), {}));
        for (const InitWaiter& w : std::exchange(m_initWaiters, {}))
            w.handler(jsonrpc::makeResult(w.clientId, m_initResult));
        const QList<QJsonObject> queued = std::exchange(m_queue, {});
        for (const QJsonObject& q : queued)
            sendNow(q);
        return;
    }
    finish(upstreamId, message);
}

void Upstream::finish(qint64 upstreamId, const QJsonObject& response)
{
    const auto it = m_pending.find(upstreamId);
    if (it == m_pending.end())
        return;
    Pending p = std::move(it.value());
    m_pending.erase(it);
    if (!p.progressToken.isEmpty())
        m_progress.remove(p.progressToken);
    if (p.handler)
        p.handler(withId(response, p.clientId));
}

void Upstream::sweepDeadlines()
{
    QList<qint64> expired;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it)
        if (it->deadline.hasExpired())
            expired.append(it.key());
    for (qint64 id : expired) {
        const QString method = m_pending.value(id).method;
        sendNow(jsonrpc::makeNotification(
            QStringLiteral("notifications/cancelled"),
            {{QStringLiteral("requestId"), id},
             {QStringLiteral("reason"), QStringLiteral("timed out in Gatehouse")}}));
        finish(id, jsonrpc::makeError(id, jsonrpc::InternalError,
                                      QStringLiteral("upstream server %1 did not answer %2 within %3 s")
                                          .arg(m_serverName, method)
                                          .arg(m_timeoutMs / 1000)));
    }
}

ClientSession* Upstream::attribute() const
{
    if (!m_transport->isShared() || m_sessions.size() == 1)
        return m_sessions.size() == 1 ? *m_sessions.cbegin() : nullptr;
    ClientSession* only = nullptr;
    for (const Pending& p : m_pending) {
        if (!p.session)
            continue;
        if (only && only != p.session)
            return nullptr; // two clients have calls in flight: no way to tell whose this is
        only = p.session;
    }
    return only;
}

void Upstream::onServerRequest(const QJsonObject& message, const QJsonValue& related)
{
    // A request that belongs to a call goes to the session that made it; any other to the one session
    // that could have caused it.
    const auto call =
        related.isDouble() ? m_pending.constFind(qint64(related.toDouble())) : m_pending.constEnd();
    const bool ofACall = call != m_pending.constEnd() && call->session;
    // A request for a call that is over (or whose session has gone) is for nobody else.
    ClientSession* session = ofACall ? call->session.data() : related.isUndefined() ? attribute() : nullptr;
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (!session) {
        m_transport->send(jsonrpc::makeError(id, jsonrpc::MethodNotFound,
                                             QStringLiteral("Gatehouse cannot tell which client %1 is for")
                                                 .arg(message.value(Method).toString())));
        return;
    }
    m_serverRequests.insert(jsonrpc::idKey(id), {session, id});
    session->deliverFromUpstream(message, ofACall ? call->clientId : session->latestInFlightId());
}

void Upstream::onServerNotification(const QJsonObject& message)
{
    const QString method = message.value(Method).toString();
    const QJsonObject params = message.value(Params).toObject();
    if (method == u"notifications/progress") {
        const QString token = params.value(ProgressToken).toVariant().toString();
        const auto it = m_progress.constFind(token);
        if (it == m_progress.constEnd() || !it->session)
            return;
        QJsonObject restored = params;
        restored.insert(ProgressToken, it->clientToken);
        QJsonObject out = message;
        out.insert(Params, restored);
        it->session->deliverFromUpstream(out, it->clientId);
        return;
    }
    if (method == u"notifications/cancelled") {
        // The server withdrew a request it sent to a client.
        const QString key = jsonrpc::idKey(params.value(QStringLiteral("requestId")));
        if (const ServerRequest r = m_serverRequests.take(key); r.session)
            r.session->deliverFromUpstream(message, QJsonValue(QJsonValue::Undefined));
        return;
    }
    if (method == u"notifications/tools/list_changed")
        emit toolsListChanged();
    const auto sessions = m_sessions;
    for (ClientSession* s : sessions)
        s->deliverFromUpstream(message, QJsonValue(QJsonValue::Undefined));
}

QJsonObject Upstream::clientCapabilitiesUnion(const QJsonObject& capabilities)
{
    // The shared server must offer every tool any client could use, so it is told that the client
    // side can answer sampling, elicitation and roots; for a client that cannot, its session answers -32601.
    QJsonObject caps = capabilities;
    if (!caps.contains(QStringLiteral("sampling")))
        caps.insert(QStringLiteral("sampling"), QJsonObject());
    if (!caps.contains(QStringLiteral("elicitation")))
        caps.insert(QStringLiteral("elicitation"), QJsonObject());
    if (!caps.contains(QStringLiteral("roots")))
        caps.insert(QStringLiteral("roots"), QJsonObject{{QStringLiteral("listChanged"), true}});
    return caps;
}

void Upstream::initialize(ClientSession* session, const QJsonObject& message, ResponseHandler handler)
{
    const QJsonValue clientId = message.value(QStringLiteral("id"));
    if (m_init == InitState::Ready) {
        // Answer from the cache, on the next turn of the event loop like any other response.
        QTimer::singleShot(
            0, this, [h = std::move(handler), r = jsonrpc::makeResult(clientId, m_initResult)] { h(r); });
        return;
    }
    m_initWaiters.append({session, clientId, std::move(handler)});
    if (m_init == InitState::Initializing)
        return;
    m_initParams = message.value(Params).toObject();
    m_initParams.insert(
        QStringLiteral("capabilities"),
        clientCapabilitiesUnion(m_initParams.value(QStringLiteral("capabilities")).toObject()));
    m_init = InitState::Initializing;
    sendInitialize();
}

void Upstream::sendInitialize()
{
    if (m_initRequestId != 0)
        m_pending.remove(m_initRequestId);
    m_initRequestId = m_nextId++;
    Pending p;
    p.method = QStringLiteral("initialize");
    p.deadline = QDeadlineTimer(m_timeoutMs);
    p.handler = [this](const QJsonObject& response) {
        // Only reached on timeout or shutdown; a real answer is handled in onResponse.
        m_initRequestId = 0;
        m_init = InitState::None;
        m_queue.clear();
        for (const InitWaiter& w : std::exchange(m_initWaiters, {}))
            w.handler(withId(response, w.clientId));
    };
    m_pending.insert(m_initRequestId, std::move(p));
    // When the child is not running yet, onTransportReady() sends it.
    if (m_transport->isReady())
        m_transport->send(jsonrpc::makeRequest(m_initRequestId, QStringLiteral("initialize"), m_initParams));
}

} // namespace gatehouse
