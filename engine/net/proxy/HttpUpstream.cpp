// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpUpstream.h"

#include "mcp/JsonRpc.h"
#include "mcp/StatelessEra.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>

namespace gatehouse {

namespace {
const QByteArray SessionHeader = "Mcp-Session-Id";
const QByteArray VersionHeader = "MCP-Protocol-Version";

bool isRequest(const QJsonObject& m)
{
    return m.contains(QStringLiteral("method")) && m.contains(QStringLiteral("id"));
}

// Servers found to speak only the stateless era, by URL: later sessions skip the initialize probe.
QSet<QString>& statelessServers()
{
    static QSet<QString> urls;
    return urls;
}

const QString DiscoverId = QStringLiteral("gh-discover");
const QString ListenId = QStringLiteral("gh-listen");
} // namespace

HttpUpstream::HttpUpstream(Endpoint endpoint, QObject* parent)
    : UpstreamTransport(parent)
    , m_endpoint(std::move(endpoint))
{
    m_reopen.setSingleShot(true);
    connect(&m_reopen, &QTimer::timeout, this, &HttpUpstream::openStream);
}

HttpUpstream::~HttpUpstream()
{
    stop();
}

QString HttpUpstream::describe() const
{
    return m_endpoint.url.toString();
}

void HttpUpstream::start()
{
    m_stopping = false;
    m_started = true;
    QTimer::singleShot(0, this, [this] { emit ready(); });
}

void HttpUpstream::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_reopen.stop();
    if (m_stream)
        m_stream->abort();
    const auto replies = m_posts.keys();
    for (QNetworkReply* r : replies)
        r->abort();
    if (m_mode == Mode::Streamable && !m_sessionId.isEmpty()) {
        // End the upstream session; nobody waits for the answer.
        QNetworkReply* reply = m_nam.sendCustomRequest(makeRequest(m_endpoint.url, false), "DELETE");
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        m_sessionId.clear();
    }
    m_started = false;
}

QNetworkRequest HttpUpstream::makeRequest(const QUrl& url, bool isPost) const
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(0); // streams may be quiet for long; the proxy's own deadlines apply
    if (isPost) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Accept", "application/json, text/event-stream");
    } else {
        request.setRawHeader("Accept", "text/event-stream");
    }
    if (m_mode == Mode::Streamable) { // the stateless era's headers go with each message (post())
        if (!m_sessionId.isEmpty())
            request.setRawHeader(SessionHeader, m_sessionId);
        if (!m_protocolVersion.isEmpty())
            request.setRawHeader(VersionHeader, m_protocolVersion);
    }
    for (const auto& [name, value] : m_endpoint.headers)
        request.setRawHeader(name, value);
    return request;
}

void HttpUpstream::send(const QJsonObject& message)
{
    if (m_stopping)
        return;
    if (m_mode == Mode::Stateless || (message.value(QStringLiteral("method")).toString() == u"initialize" &&
                                      statelessServers().contains(m_endpoint.url.toString()))) {
        sendStateless(message);
        return;
    }
    if (m_mode == Mode::Legacy && !m_legacyPostUrl.isValid()) {
        m_legacyQueue.append(message);
        return;
    }
    if (message.value(QStringLiteral("method")).toString() == u"initialize")
        m_initializeId = message.value(QStringLiteral("id"));
    post(message);
}

void HttpUpstream::post(const QJsonObject& message)
{
    const QUrl url = m_mode == Mode::Legacy ? m_legacyPostUrl : m_endpoint.url;
    QNetworkRequest request = makeRequest(url, true);
    if (m_mode == Mode::Stateless)
        for (const auto& [name, value] :
             stateless::headersFor(message) + stateless::paramHeadersFor(message, m_paramHeaders))
            request.setRawHeader(name, value);
    QNetworkReply* reply = m_nam.post(request, jsonrpc::encode(message));
    PostState state;
    state.sent = message;
    m_posts.insert(reply, std::move(state));
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] { onPostData(reply); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        const QJsonObject sent = m_posts.value(reply).sent;
        onPostFinished(reply, sent);
    });
}

void HttpUpstream::deliver(const QByteArray& json, const QJsonObject& sent, bool* answered)
{
    if (json.trimmed().isEmpty())
        return; // e.g. the priming event a resumable stream starts with
    const jsonrpc::Message m = jsonrpc::parse(json);
    if (m.kind == jsonrpc::Kind::Invalid) {
        emit logLine(QStringLiteral("%1 sent an invalid message (%2)").arg(describe(), m.error));
        return;
    }
    if (m.kind == jsonrpc::Kind::Response) {
        if (isRequest(sent) && jsonrpc::idKey(m.id()) == jsonrpc::idKey(sent.value(QStringLiteral("id"))))
            *answered = true;
        if (m_mode == Mode::Stateless && consumeStateless(m.object, sent))
            return;
        if (!m_initializeId.isUndefined() && jsonrpc::idKey(m.id()) == jsonrpc::idKey(m_initializeId)) {
            m_initializeId = QJsonValue(QJsonValue::Undefined);
            m_protocolVersion = m.object.value(QStringLiteral("result"))
                                    .toObject()
                                    .value(QStringLiteral("protocolVersion"))
                                    .toString()
                                    .toLatin1();
            if (m_mode == Mode::Streamable && m.object.contains(QStringLiteral("result")))
                QTimer::singleShot(0, this, &HttpUpstream::openStream);
        }
    }
    if (m_mode == Mode::Stateless && m.kind == jsonrpc::Kind::Notification &&
        consumeStateless(m.object, sent))
        return;
    emit messageReceived(m.object);
}

void HttpUpstream::onPostData(QNetworkReply* reply)
{
    auto it = m_posts.find(reply);
    if (it == m_posts.end())
        return;
    const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
    if (!type.startsWith("text/event-stream"))
        return; // a JSON body is read whole when it finishes
    const QByteArray session = reply->rawHeader(SessionHeader);
    if (!session.isEmpty())
        m_sessionId = session;
    const auto events = it->parser.feed(reply->readAll());
    const QJsonObject sent = it->sent;
    bool answered = it->answered;
    for (const SseParser::Event& e : events)
        if (e.type == "message")
            deliver(e.data, sent, &answered);
    // deliver() may have led to stop(), which clears m_posts.
    it = m_posts.find(reply);
    if (it == m_posts.end())
        return;
    it->answered = answered;
    if (it->parser.pendingBytes() > MaxEventBytes) {
        emit logLine(QStringLiteral("%1 sent an event over %2 bytes; dropping the stream")
                         .arg(describe())
                         .arg(MaxEventBytes));
        reply->abort();
    }
}

void HttpUpstream::onPostFinished(QNetworkReply* reply, const QJsonObject& sent)
{
    reply->deleteLater();
    const auto it = m_posts.find(reply);
    if (it == m_posts.end())
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
    const QByteArray session = reply->rawHeader(SessionHeader);
    if (!session.isEmpty() && m_mode == Mode::Streamable)
        m_sessionId = session;
    bool answered = it->answered;
    m_posts.erase(it);
    if (m_stopping)
        return;

    const bool firstInitialize = sent.value(QStringLiteral("method")).toString() == u"initialize";
    if (m_mode == Mode::Streamable && firstInitialize && status == 400) {
        // Only a server of the stateless era answers with its own errors: speak its era.
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        if (stateless::isEraError(body.value(QStringLiteral("error"))[QStringLiteral("code")].toInt())) {
            switchToStateless(sent);
            return;
        }
    }
    if (m_mode == Mode::Stateless && sent.value(QStringLiteral("id")).toString() == ListenId) {
        // The listen stream ended (the server closed it, or went away): listen again shortly.
        if (!m_stopping)
            QTimer::singleShot(1000, this, &HttpUpstream::listen);
        return;
    }
    if (m_mode == Mode::Streamable && firstInitialize && (status == 400 || status == 404 || status == 405)) {
        switchToLegacy(sent);
        return;
    }
    if (status >= 200 && status < 300) {
        if (type.startsWith("application/json")) {
            const QByteArray body = reply->readAll();
            const QJsonDocument doc = QJsonDocument::fromJson(body);
            if (doc.isArray()) {
                for (const QJsonValue& v : doc.array())
                    deliver(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact), sent, &answered);
            } else {
                deliver(body, sent, &answered);
            }
        }
        if (isRequest(sent) && !answered && m_mode == Mode::Streamable)
            failRequest(sent, QStringLiteral("upstream ended its answer without a response"));
        return;
    }
    const QString why = reply->error() != QNetworkReply::NoError && status == 0
                            ? reply->errorString()
                            : QStringLiteral("HTTP %1: %2")
                                  .arg(status)
                                  .arg(QString::fromUtf8(reply->readAll().left(300)).trimmed());
    if (status == 404 && !m_sessionId.isEmpty())
        emit logLine(QStringLiteral("%1: the upstream session has expired").arg(describe()));
    if (isRequest(sent))
        failRequest(sent, QStringLiteral("upstream %1 refused the request (%2)").arg(describe(), why));
    else
        emit logLine(QStringLiteral("%1 refused a notification (%2)").arg(describe(), why));
}

void HttpUpstream::failRequest(const QJsonObject& sent, const QString& why)
{
    emit messageReceived(jsonrpc::makeError(sent.value(QStringLiteral("id")), jsonrpc::InternalError, why));
}

void HttpUpstream::openStream()
{
    if (m_stopping || m_stream)
        return;
    QNetworkReply* reply = m_nam.get(makeRequest(m_endpoint.url, false));
    m_stream = reply;
    m_streamParser = SseParser();
    connect(reply, &QNetworkReply::readyRead, this, &HttpUpstream::onStreamData);
    connect(reply, &QNetworkReply::finished, this, &HttpUpstream::onStreamFinished);
}

void HttpUpstream::onStreamData()
{
    if (!m_stream)
        return;
    const int status = m_stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return;
    m_streamFailures = 0;
    const auto events = m_streamParser.feed(m_stream->readAll());
    bool unused = false;
    for (const SseParser::Event& e : events) {
        if (e.type == "endpoint" && m_mode == Mode::Legacy) {
            m_legacyPostUrl = m_endpoint.url.resolved(QUrl(QString::fromUtf8(e.data)));
            emit logLine(QStringLiteral("%1 speaks HTTP+SSE (2024-11-05); posting to %2")
                             .arg(describe(), m_legacyPostUrl.toString()));
            for (const QJsonObject& m : std::exchange(m_legacyQueue, {}))
                send(m);
        } else if (e.type == "message") {
            deliver(e.data, {}, &unused);
        }
        if (m_stopping)
            return;
    }
    if (m_stream && m_streamParser.pendingBytes() > MaxEventBytes)
        m_stream->abort();
}

void HttpUpstream::onStreamFinished()
{
    QNetworkReply* reply = m_stream;
    m_stream.clear();
    if (!reply)
        return;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_stopping)
        return;
    if (m_mode == Mode::Legacy) {
        // In the old protocol the stream is the session: losing it loses everything in flight.
        m_legacyPostUrl.clear();
        emit lost(QStringLiteral("the HTTP+SSE stream of %1 closed").arg(describe()));
        return;
    }
    if (status == 405 || status == 404)
        return; // the server offers no GET stream; fine
    // Reconnect with a growing pause; the session itself is unaffected.
    const int delay = std::min(30'000, 500 << std::min(m_streamFailures++, 6));
    m_reopen.start(delay);
}

void HttpUpstream::switchToLegacy(const QJsonObject& firstMessage)
{
    emit logLine(QStringLiteral("%1 refused a Streamable HTTP initialize; trying HTTP+SSE").arg(describe()));
    m_mode = Mode::Legacy;
    m_legacyQueue.prepend(firstMessage);
    openStream();
}

void HttpUpstream::switchToStateless(const QJsonObject& initialize)
{
    if (m_mode != Mode::Stateless) {
        if (!statelessServers().contains(m_endpoint.url.toString()))
            emit logLine(QStringLiteral("%1 speaks MCP %2 (stateless); Gatehouse translates for its sessions")
                             .arg(describe(), QLatin1String(stateless::Version)));
        statelessServers().insert(m_endpoint.url.toString());
        m_mode = Mode::Stateless;
    }
    const QJsonObject params = initialize.value(QStringLiteral("params")).toObject();
    m_statelessInitId = initialize.value(QStringLiteral("id"));
    m_clientCapabilities = params.value(QStringLiteral("capabilities")).toObject();
    m_clientInfo = params.value(QStringLiteral("clientInfo")).toObject();
    m_clientVersion = params.value(QStringLiteral("protocolVersion")).toString();
    post(stateless::withEraMeta(jsonrpc::makeRequest(DiscoverId, QStringLiteral("server/discover"), {}),
                                m_clientCapabilities, m_clientInfo));
}

void HttpUpstream::sendStateless(const QJsonObject& message)
{
    const QString method = message.value(QStringLiteral("method")).toString();
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (method == u"initialize")
        return switchToStateless(message);
    if (method.isEmpty()) {
        // The client answers one of the questions an input-required result asked it.
        const std::optional<InputRounds::Answered> a = m_input.answer(message);
        if (!a)
            return;
        if (!a->error.isEmpty()) {
            const QJsonObject request = m_roundRequests.take(a->call);
            emit messageReceived(jsonrpc::makeError(request.value(QStringLiteral("id")),
                                                    a->error.value(QStringLiteral("code")).toInt(),
                                                    a->error.value(QStringLiteral("message")).toString()));
        } else if (a->complete) {
            retry(a->call);
        }
        return;
    }
    if (id.isUndefined()) {
        // In this era a closed stream is the cancellation; other notifications mean nothing to the server.
        if (method == u"notifications/cancelled") {
            const QString key =
                jsonrpc::idKey(message.value(QStringLiteral("params"))[QStringLiteral("requestId")]);
            m_input.forget(key);
            m_roundRequests.remove(key);
            for (auto it = m_posts.begin(); it != m_posts.end(); ++it) {
                const QString sentKey = jsonrpc::idKey(it->sent.value(QStringLiteral("id")));
                const QJsonObject original = m_retries.value(it->sent.value(QStringLiteral("id")).toString());
                if (sentKey == key || jsonrpc::idKey(original.value(QStringLiteral("id"))) == key) {
                    QNetworkReply* reply = it.key();
                    m_posts.erase(it);
                    reply->abort();
                    break;
                }
            }
        }
        return;
    }
    post(stateless::withEraMeta(message, m_clientCapabilities, m_clientInfo));
}

bool HttpUpstream::consumeStateless(const QJsonObject& message, const QJsonObject& sent)
{
    const QString method = message.value(QStringLiteral("method")).toString();
    if (!method.isEmpty()) {
        if (method == u"notifications/subscriptions/acknowledged")
            return true;
        // A change notification from the listen stream: the client knows no subscription ids.
        QJsonObject params = message.value(QStringLiteral("params")).toObject();
        QJsonObject meta = params.value(QStringLiteral("_meta")).toObject();
        if (!meta.contains(stateless::MetaPrefix + QStringLiteral("subscriptionId")))
            return false;
        meta.remove(stateless::MetaPrefix + QStringLiteral("subscriptionId"));
        if (meta.isEmpty())
            params.remove(QStringLiteral("_meta"));
        else
            params.insert(QStringLiteral("_meta"), meta);
        QJsonObject out = message;
        out.insert(QStringLiteral("params"), params);
        emit messageReceived(out);
        return true;
    }
    const QString id = message.value(QStringLiteral("id")).toString();
    if (id == DiscoverId) {
        if (message.contains(QStringLiteral("error"))) {
            emit messageReceived(jsonrpc::makeError(
                m_statelessInitId, jsonrpc::InternalError,
                QStringLiteral("server/discover failed: ") +
                    message.value(QStringLiteral("error"))[QStringLiteral("message")].toString()));
            return true;
        }
        m_discovered = message.value(QStringLiteral("result")).toObject();
        emit messageReceived(jsonrpc::makeResult(
            m_statelessInitId, stateless::initializeResultFrom(m_discovered, m_clientVersion)));
        QTimer::singleShot(0, this, &HttpUpstream::listen);
        return true;
    }
    if (id == ListenId)
        return true;
    // The client's request: as it sent it, or as the retry Gatehouse made of it.
    QJsonObject request = m_retries.take(id);
    if (request.isEmpty())
        request = sent;
    const QJsonObject result = message.value(QStringLiteral("result")).toObject();
    if (request.value(QStringLiteral("method")).toString() == u"tools/list")
        stateless::collectParamHeaders(result, &m_paramHeaders);
    if (result.value(QStringLiteral("resultType")).toString() != u"input_required") {
        if (request == sent)
            return false; // an ordinary answer, on its way
        QJsonObject out = message;
        out.insert(QStringLiteral("id"), request.value(QStringLiteral("id")));
        emit messageReceived(out);
        return true;
    }
    // The server needs something from the client first: ask it, in its era's way (requests to it).
    const QString call = jsonrpc::idKey(request.value(QStringLiteral("id")));
    m_roundRequests.insert(call, request);
    const QList<QJsonObject> asks = m_input.start(call, result);
    for (const QJsonObject& ask : asks)
        emit messageReceived(ask);
    if (asks.isEmpty())
        retry(call); // only state to carry back
    return true;
}

void HttpUpstream::retry(const QString& call)
{
    const QJsonObject original = m_roundRequests.take(call);
    QJsonObject request = original;
    request.insert(QStringLiteral("params"),
                   m_input.retryParams(call, original.value(QStringLiteral("params")).toObject()));
    const QString retryId = QStringLiteral("gh-retry-%1").arg(m_nextId++);
    m_retries.insert(retryId, original);
    request.insert(QStringLiteral("id"), retryId);
    post(stateless::withEraMeta(request, m_clientCapabilities, m_clientInfo));
}

void HttpUpstream::listen()
{
    if (m_stopping || m_mode != Mode::Stateless)
        return;
    const QJsonObject caps = m_discovered.value(QStringLiteral("capabilities")).toObject();
    QJsonObject wanted;
    if (caps.value(QStringLiteral("tools"))[QStringLiteral("listChanged")].toBool())
        wanted.insert(QStringLiteral("toolsListChanged"), true);
    if (caps.value(QStringLiteral("prompts"))[QStringLiteral("listChanged")].toBool())
        wanted.insert(QStringLiteral("promptsListChanged"), true);
    if (caps.value(QStringLiteral("resources"))[QStringLiteral("listChanged")].toBool())
        wanted.insert(QStringLiteral("resourcesListChanged"), true);
    if (wanted.isEmpty())
        return;
    post(stateless::withEraMeta(jsonrpc::makeRequest(ListenId, QStringLiteral("subscriptions/listen"),
                                                     QJsonObject{{QStringLiteral("notifications"), wanted}}),
                                m_clientCapabilities, m_clientInfo));
}

} // namespace gatehouse
