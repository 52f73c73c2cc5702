// SPDX-License-Identifier: GPL-3.0-or-later
#include "StreamableHttpUpstream.h"

#include "mcp/JsonRpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>

namespace gatehouse {

namespace {
const QByteArray SessionHeader = "Mcp-Session-Id";
const QByteArray VersionHeader = "MCP-Protocol-Version";

bool isRequest(const QJsonObject& m)
{
    return m.contains(QStringLiteral("method")) && m.contains(QStringLiteral("id"));
}
} // namespace

StreamableHttpUpstream::StreamableHttpUpstream(HttpTarget target, QObject* parent)
    : UpstreamTransport(parent)
    , m_target(std::move(target))
{
    m_reopen.setSingleShot(true);
    connect(&m_reopen, &QTimer::timeout, this, &StreamableHttpUpstream::openStream);
}

StreamableHttpUpstream::~StreamableHttpUpstream()
{
    stop();
}

QString StreamableHttpUpstream::describe() const
{
    return m_target.url.toString();
}

void StreamableHttpUpstream::start()
{
    m_stopping = false;
    m_started = true;
    QTimer::singleShot(0, this, [this] { emit ready(); });
}

void StreamableHttpUpstream::stop()
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
    if (!m_sessionId.isEmpty()) {
        // End the upstream session; nobody waits for the answer.
        QNetworkReply* reply = m_nam.sendCustomRequest(makeRequest(false, false), "DELETE");
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        m_sessionId.clear();
    }
    m_started = false;
}

QNetworkRequest StreamableHttpUpstream::makeRequest(bool isPost, bool stateless) const
{
    QNetworkRequest request(m_target.url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(0); // streams may be quiet for long; the proxy's own deadlines apply
    if (isPost) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Accept", "application/json, text/event-stream");
    } else {
        request.setRawHeader("Accept", "text/event-stream");
    }
    if (!stateless) { // the stateless era's headers are the message's own (post())
        if (!m_sessionId.isEmpty())
            request.setRawHeader(SessionHeader, m_sessionId);
        if (!m_protocolVersion.isEmpty())
            request.setRawHeader(VersionHeader, m_protocolVersion);
    }
    for (const auto& [name, value] : m_target.headers)
        request.setRawHeader(name, value);
    return request;
}

void StreamableHttpUpstream::send(const QJsonObject& message)
{
    if (m_stopping)
        return;
    const QString method = message.value(QStringLiteral("method")).toString();
    // A cancel of a stateless call closes its stream (and, in its era's way, is never posted itself).
    if (method == u"notifications/cancelled" &&
        (cancelStateless(message) || stateless::isEraRequest(message)))
        return;
    if (method == u"initialize")
        m_initializeId = message.value(QStringLiteral("id"));
    post(message, stateless::isEraRequest(message));
}

bool StreamableHttpUpstream::cancelStateless(const QJsonObject& cancelled)
{
    // In the stateless era a closed stream is the cancellation.
    const QString key =
        jsonrpc::idKey(cancelled.value(QStringLiteral("params"))[QStringLiteral("requestId")]);
    for (auto it = m_posts.begin(); it != m_posts.end(); ++it) {
        if (it->stateless && jsonrpc::idKey(it->sent.value(QStringLiteral("id"))) == key) {
            QNetworkReply* reply = it.key();
            m_posts.erase(it);
            reply->abort();
            return true;
        }
    }
    return false;
}

void StreamableHttpUpstream::post(const QJsonObject& message, bool stateless)
{
    QNetworkRequest request = makeRequest(true, stateless);
    if (stateless)
        for (const auto& [name, value] :
             stateless::headersFor(message) + stateless::paramHeadersFor(message, m_paramHeaders))
            request.setRawHeader(name, value);
    QNetworkReply* reply = m_nam.post(request, jsonrpc::encode(message));
    Post state;
    state.sent = message;
    state.stateless = stateless;
    m_posts.insert(reply, std::move(state));
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] { onPostData(reply); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPostFinished(reply); });
}

void StreamableHttpUpstream::deliver(const QByteArray& json, const Post& post, bool* answered)
{
    if (json.trimmed().isEmpty())
        return; // e.g. the priming event a resumable stream starts with
    deliver(jsonrpc::parse(json), post, answered);
}

void StreamableHttpUpstream::deliver(const jsonrpc::Message& m, const Post& post, bool* answered)
{
    if (m.kind == jsonrpc::Kind::Invalid) {
        emit logLine(QStringLiteral("%1 sent an invalid message (%2)").arg(describe(), m.error));
        return;
    }
    const QJsonValue sentId = post.sent.value(QStringLiteral("id"));
    if (m.kind == jsonrpc::Kind::Response && isRequest(post.sent) &&
        jsonrpc::idKey(m.id()) == jsonrpc::idKey(sentId)) {
        *answered = true;
        const QString method = post.sent.value(QStringLiteral("method")).toString();
        if (post.stateless && method == u"tools/list")
            stateless::collectParamHeaders(m.object.value(QStringLiteral("result")).toObject(),
                                           &m_paramHeaders);
        if (method == u"initialize" && jsonrpc::idKey(sentId) == jsonrpc::idKey(m_initializeId)) {
            m_initializeId = QJsonValue(QJsonValue::Undefined);
            m_protocolVersion = m.object.value(QStringLiteral("result"))[QStringLiteral("protocolVersion")]
                                    .toString()
                                    .toLatin1();
            if (m.object.contains(QStringLiteral("result")))
                QTimer::singleShot(0, this, &StreamableHttpUpstream::openStream);
        }
    }
    // What arrives on a request's stream belongs to that request.
    emit messageReceived(m.object, isRequest(post.sent) ? sentId : QJsonValue(QJsonValue::Undefined));
}

void StreamableHttpUpstream::onPostData(QNetworkReply* reply)
{
    auto it = m_posts.find(reply);
    if (it == m_posts.end())
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status < 200 || status >= 300)
        return; // a refusal is read whole when it finishes
    // Known before any message of the answer is passed on: what the session does next needs it.
    if (const QByteArray session = reply->rawHeader(SessionHeader); !session.isEmpty() && !it->stateless)
        m_sessionId = session;
    const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
    Post snapshot; // deliver() may lead to stop(), which clears m_posts
    snapshot.sent = it->sent;
    snapshot.stateless = it->stateless;
    bool answered = it->answered;
    if (type.startsWith("application/json")) {
        it->body += reply->readAll();
        // A server that streams messages a line at a time: each one as it comes.
        for (const jsonrpc::Message& m : takeLines(*it, false))
            deliver(m, snapshot, &answered);
        if (const auto again = m_posts.find(reply); again != m_posts.end())
            again->answered = answered;
        return;
    }
    if (!type.startsWith("text/event-stream"))
        return;
    const auto events = it->parser.feed(reply->readAll());
    for (const SseParser::Event& e : events)
        if (e.type == "message")
            deliver(e.data, snapshot, &answered);
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

QList<jsonrpc::Message> StreamableHttpUpstream::takeLines(Post& post, bool finished)
{
    QList<jsonrpc::Message> messages;
    qsizetype taken = 0;
    while (post.lines) {
        // Only what arrived since the last look is searched: a long line costs one pass, not one a chunk.
        qsizetype end = post.body.indexOf('\n', std::max(taken, post.scanned));
        if (end < 0) {
            if (!finished || post.body.size() == taken)
                break;
            end = post.body.size();
        }
        const QByteArray line = post.body.mid(taken, end - taken);
        if (!line.trimmed().isEmpty()) {
            jsonrpc::Message m = jsonrpc::parse(line);
            if (line.trimmed().startsWith('[') ||
                (m.kind == jsonrpc::Kind::Invalid && m.errorCode == jsonrpc::ParseError)) {
                post.lines = false; // one JSON text over several lines (or not JSON): read whole at the end
                break;
            }
            messages.append(std::move(m));
        }
        taken = std::min(end + 1, post.body.size());
    }
    post.body.remove(0, taken);
    post.scanned = post.lines ? post.body.size() : 0;
    return messages;
}

void StreamableHttpUpstream::deliverBody(Post& post)
{
    const QJsonDocument doc = QJsonDocument::fromJson(post.body);
    if (doc.isArray()) {
        for (const QJsonValue& v : doc.array())
            deliver(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact), post, &post.answered);
    } else {
        deliver(post.body, post, &post.answered);
    }
    post.body.clear();
}

void StreamableHttpUpstream::onPostFinished(QNetworkReply* reply)
{
    reply->deleteLater();
    const auto it = m_posts.find(reply);
    if (it == m_posts.end())
        return; // cancelled, or stopped
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
    const QByteArray session = reply->rawHeader(SessionHeader);
    Post post = std::move(it.value());
    m_posts.erase(it);
    if (!session.isEmpty() && !post.stateless)
        m_sessionId = session;
    if (m_stopping)
        return;

    if (status >= 200 && status < 300) {
        if (type.startsWith("application/json")) {
            post.body += reply->readAll();
            for (const jsonrpc::Message& m : takeLines(post, true))
                deliver(m, post, &post.answered);
            if (!post.lines)
                deliverBody(post);
        }
        if (isRequest(post.sent) && !post.answered)
            failRequest(post.sent, status, {},
                        QStringLiteral("upstream ended its answer without a response"));
        return;
    }
    const QByteArray body = post.body + reply->readAll();
    const QString why =
        reply->error() != QNetworkReply::NoError && status == 0
            ? reply->errorString()
            : QStringLiteral("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(300)).trimmed());
    if (status == 404 && !m_sessionId.isEmpty())
        emit logLine(QStringLiteral("%1: the upstream session has expired").arg(describe()));
    if (isRequest(post.sent))
        failRequest(post.sent, status, body,
                    QStringLiteral("upstream %1 refused the request (%2)").arg(describe(), why));
    else
        emit logLine(QStringLiteral("%1 refused a notification (%2)").arg(describe(), why));
}

void StreamableHttpUpstream::failRequest(const QJsonObject& sent, int status, const QByteArray& body,
                                         const QString& why)
{
    // The server's own error, when its refusal is a JSON-RPC error: its code tells an era apart, its data
    // may say what was missing. Otherwise ours, with the HTTP status for the era negotiation to read.
    QJsonObject error = QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject();
    if (!error.value(QStringLiteral("code")).isDouble() || !error.value(QStringLiteral("message")).isString())
        error =
            QJsonObject{{QStringLiteral("code"), jsonrpc::InternalError}, {QStringLiteral("message"), why}};
    else if (!stateless::isEraError(error.value(QStringLiteral("code")).toInt()))
        error.insert(QStringLiteral("message"),
                     QStringLiteral("upstream %1 refused the request (HTTP %2: %3)")
                         .arg(describe())
                         .arg(status)
                         .arg(error.value(QStringLiteral("message")).toString()));
    if (status != 0 &&
        (error.value(QStringLiteral("data")).isObject() || !error.contains(QStringLiteral("data")))) {
        QJsonObject data = error.value(QStringLiteral("data")).toObject();
        data.insert(QStringLiteral("httpStatus"), status);
        error.insert(QStringLiteral("data"), data);
    }
    emit messageReceived(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                     {QStringLiteral("id"), sent.value(QStringLiteral("id"))},
                                     {QStringLiteral("error"), error}},
                         sent.value(QStringLiteral("id")));
}

void StreamableHttpUpstream::openStream()
{
    if (m_stopping || m_stream)
        return;
    QNetworkReply* reply = m_nam.get(makeRequest(false, false));
    m_stream = reply;
    m_streamParser = SseParser();
    connect(reply, &QNetworkReply::readyRead, this, &StreamableHttpUpstream::onStreamData);
    connect(reply, &QNetworkReply::finished, this, &StreamableHttpUpstream::onStreamFinished);
}

void StreamableHttpUpstream::onStreamData()
{
    if (!m_stream || m_stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
        return;
    m_streamFailures = 0;
    const auto events = m_streamParser.feed(m_stream->readAll());
    const Post none;
    bool unused = false;
    for (const SseParser::Event& e : events) {
        if (e.type == "message")
            deliver(e.data, none, &unused);
        if (m_stopping)
            return;
    }
    if (m_stream && m_streamParser.pendingBytes() > MaxEventBytes)
        m_stream->abort();
}

void StreamableHttpUpstream::onStreamFinished()
{
    QNetworkReply* reply = m_stream;
    m_stream.clear();
    if (!reply)
        return;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_stopping || status == 405 || status == 404)
        return; // the server offers no GET stream; fine
    // Reconnect with a growing pause; the session itself is unaffected.
    const int delay = std::min(30'000, 500 << std::min(m_streamFailures++, 6));
    m_reopen.start(delay);
}

} // namespace gatehouse
