// SPDX-License-Identifier: GPL-3.0-or-later
#include "Upstream.h"

#include "ClientSession.h"
#include "mcp/JsonRpc.h"
#include "mcp/StatelessEra.h"

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
    p.sent = message;
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
    if (const std::optional<InputRounds::Answered> a = m_input.answer(response)) {
        // An answer to what an input-required result asked: collected for the retry of that call.
        m_serverRequests.remove(key);
        const qint64 call = a->call.toLongLong();
        if (!a->error.isEmpty())
            finish(call, jsonrpc::makeError(call, a->error.value(QStringLiteral("code")).toInt(),
                                            a->error.value(QStringLiteral("message")).toString()));
        else if (a->complete)
            retryWithInput(call);
        return;
    }
    const auto it = m_serverRequests.constFind(key);
    if (it == m_serverRequests.constEnd() || it->session != session)
        return; // not a request of this server to this session: drop rather than misroute
    m_serverRequests.remove(key);
    sendNow(response);
}

void Upstream::sendNow(const QJsonObject& message)
{
    // The stateless era has no handshake notification and no roots change notification.
    const QString method = message.value(Method).toString();
    if (m_stateless &&
        (method == u"notifications/initialized" || method == u"notifications/roots/list_changed"))
        return;
    const bool waitForInit = m_transport->isShared() && m_init == InitState::Initializing &&
                             method != u"initialize" && method != u"notifications/initialized";
    if (!m_transport->isReady() || waitForInit) {
        if (m_queue.size() < MaxQueued)
            m_queue.append(message);
        return;
    }
    // A stateless-era server wants the era's _meta on every request (added here, once, on the way out).
    const bool request =
        message.contains(QStringLiteral("id")) && !message.value(Method).toString().isEmpty();
    m_transport->send(m_stateless && request ? inStatelessEra(message) : message);
}

QJsonObject Upstream::inStatelessEra(const QJsonObject& request) const
{
    // m_initParams carries the capabilities the server was told of (the union) and the first client's name.
    return stateless::withEraMeta(request, m_initParams.value(QStringLiteral("capabilities")).toObject(),
                                  m_initParams.value(QStringLiteral("clientInfo")).toObject());
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

void Upstream::onMessage(const QJsonObject& message)
{
    const jsonrpc::Message m = jsonrpc::classify(message);
    switch (m.kind) {
    case jsonrpc::Kind::Response:
        onResponse(message);
        break;
    case jsonrpc::Kind::Request:
        onServerRequest(message);
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
        const int code = message.value(QStringLiteral("error"))[QStringLiteral("code")].toInt();
        if (message.contains(QStringLiteral("error")) && m_transport->isShared() && !m_stateless &&
            stateless::isEraError(code)) {
            emit logLine(QStringLiteral("%1 speaks MCP %2 (stateless); Gatehouse translates for its clients")
                             .arg(m_serverName, QLatin1String(stateless::Version)));
            m_stateless = true;
            sendInitialize(); // server/discover this time
            return;
        }
        if (message.contains(QStringLiteral("error"))) {
            m_init = InitState::None;
            for (const InitWaiter& w : std::exchange(m_initWaiters, {}))
                w.handler(withId(message, w.clientId));
            m_queue.clear();
            return;
        }
        m_initResult = message.value(QStringLiteral("result")).toObject();
        if (m_stateless)
            m_initResult = stateless::initializeResultFrom(
                m_initResult, m_initParams.value(QStringLiteral("protocolVersion")).toString());
        m_init = InitState::Ready;
        if (!m_stateless)
            m_transport->send(jsonrpc::makeNotification(QStringLiteral("notifications/initialized"), {}));
        for (const InitWaiter& w : std::exchange(m_initWaiters, {}))
            w.handler(jsonrpc::makeResult(w.clientId, m_initResult));
        const QList<QJsonObject> queued = std::exchange(m_queue, {});
        for (const QJsonObject& q : queued)
            sendNow(q);
        return;
    }
    if (m_stateless && startInputRound(upstreamId, message.value(QStringLiteral("result")).toObject()))
        return;
    finish(upstreamId, message);
}

bool Upstream::startInputRound(qint64 upstreamId, const QJsonObject& result)
{
    const auto p = m_pending.constFind(upstreamId);
    if (result.value(QStringLiteral("resultType")).toString() != u"input_required" ||
        p == m_pending.constEnd() || !p->session)
        return false;
    // The server needs something from the client first: asked as the session era asks, with requests.
    const QList<QJsonObject> asks = m_input.start(QString::number(upstreamId), result);
    // Copied: delivering an ask may settle the call (and so erase its entry) before the loop ends.
    const QPointer<ClientSession> session = p->session;
    const QJsonValue clientId = p->clientId;
    for (const QJsonObject& ask : asks) {
        if (!session || !m_pending.contains(upstreamId))
            break;
        m_serverRequests.insert(jsonrpc::idKey(ask.value(QStringLiteral("id"))),
                                {session, ask.value(QStringLiteral("id"))});
        session->deliverFromUpstream(ask, clientId);
    }
    if (asks.isEmpty())
        retryWithInput(upstreamId);
    return true;
}

void Upstream::retryWithInput(qint64 upstreamId)
{
    auto p = m_pending.find(upstreamId);
    if (p == m_pending.end()) {
        m_input.forget(QString::number(upstreamId));
        return;
    }
    // The same call again, under a new id, with what the client answered.
    Pending moved = std::move(p.value());
    m_pending.erase(p);
    QJsonObject retry = moved.sent;
    retry.insert(Params,
                 m_input.retryParams(QString::number(upstreamId), moved.sent.value(Params).toObject()));
    const qint64 id = m_nextId++;
    m_pending.insert(id, std::move(moved));
    sendNow(withId(retry, id));
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

void Upstream::onServerRequest(const QJsonObject& message)
{
    ClientSession* session = attribute();
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (!session) {
        m_transport->send(jsonrpc::makeError(id, jsonrpc::MethodNotFound,
                                             QStringLiteral("Gatehouse cannot tell which client %1 is for")
                                                 .arg(message.value(Method).toString())));
        return;
    }
    m_serverRequests.insert(jsonrpc::idKey(id), {session, id});
    session->deliverFromUpstream(message, session->latestInFlightId());
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
        m_transport->send(
            m_stateless
                ? inStatelessEra(jsonrpc::makeRequest(m_initRequestId, QStringLiteral("server/discover"), {}))
                : jsonrpc::makeRequest(m_initRequestId, QStringLiteral("initialize"), m_initParams));
}

} // namespace gatehouse
