// SPDX-License-Identifier: GPL-3.0-or-later
#include "SseUpstream.h"

#include "mcp/JsonRpc.h"

#include <QNetworkReply>
#include <QTimer>

namespace gatehouse {

SseUpstream::SseUpstream(HttpTarget target, QObject* parent)
    : UpstreamTransport(parent)
    , m_target(std::move(target))
{}

SseUpstream::~SseUpstream()
{
    stop();
}

QString SseUpstream::describe() const
{
    return m_target.url.toString();
}

QNetworkRequest SseUpstream::makeRequest(const QUrl& url, bool isPost) const
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(0); // the stream may be quiet for long; the proxy's own deadlines apply
    if (isPost)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    else
        request.setRawHeader("Accept", "text/event-stream");
    for (const auto& [name, value] : m_target.headers)
        request.setRawHeader(name, value);
    return request;
}

void SseUpstream::start()
{
    m_stopping = false;
    m_lost = false;
    m_started = true;
    m_parser = SseParser();
    QNetworkReply* reply = m_nam.get(makeRequest(m_target.url, false));
    m_stream = reply;
    connect(reply, &QNetworkReply::readyRead, this, &SseUpstream::onStreamData);
    connect(reply, &QNetworkReply::finished, this, &SseUpstream::onStreamFinished);
    QTimer::singleShot(0, this, [this] { emit ready(); });
}

void SseUpstream::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_started = false;
    m_queue.clear();
    m_postUrl.clear();
    if (m_stream)
        m_stream->abort();
    const auto posts = m_posts;
    for (QNetworkReply* r : posts)
        r->abort();
}

void SseUpstream::send(const QJsonObject& message)
{
    if (m_stopping)
        return;
    if (m_lost) { // the session is gone with its stream: say so now rather than at the deadline
        if (message.contains(QStringLiteral("method")) && message.contains(QStringLiteral("id")))
            QTimer::singleShot(0, this, [this, id = message.value(QStringLiteral("id"))] {
                emit messageReceived(
                    jsonrpc::makeError(id, jsonrpc::InternalError,
                                       QStringLiteral("the HTTP+SSE stream of %1 closed").arg(describe())),
                    id);
            });
        return;
    }
    if (!m_postUrl.isValid())
        m_queue.append(message);
    else
        post(message);
}

void SseUpstream::post(const QJsonObject& message)
{
    QNetworkReply* reply = m_nam.post(makeRequest(m_postUrl, true), jsonrpc::encode(message));
    m_posts.insert(reply);
    const QJsonValue id = message.contains(QStringLiteral("method")) ? message.value(QStringLiteral("id"))
                                                                     : QJsonValue(QJsonValue::Undefined);
    connect(reply, &QNetworkReply::finished, this, [this, reply, id] {
        reply->deleteLater();
        m_posts.remove(reply);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (m_stopping || (status >= 200 && status < 300))
            return; // the answer comes on the stream
        const QString why = QStringLiteral("upstream %1 refused the request (HTTP %2: %3)")
                                .arg(describe())
                                .arg(status)
                                .arg(QString::fromUtf8(reply->readAll().left(300)).trimmed());
        if (id.isUndefined())
            emit logLine(why);
        else
            emit messageReceived(jsonrpc::makeError(id, jsonrpc::InternalError, why), id);
    });
}

void SseUpstream::onStreamData()
{
    if (!m_stream || m_stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
        return;
    const auto events = m_parser.feed(m_stream->readAll());
    for (const SseParser::Event& e : events) {
        if (e.type == "endpoint") {
            m_postUrl = m_target.url.resolved(QUrl(QString::fromUtf8(e.data)));
            emit logLine(QStringLiteral("%1 speaks HTTP+SSE (2024-11-05); posting to %2")
                             .arg(describe(), m_postUrl.toString()));
            for (const QJsonObject& m : std::exchange(m_queue, {}))
                post(m);
        } else if (e.type == "message" && !e.data.trimmed().isEmpty()) {
            const jsonrpc::Message m = jsonrpc::parse(e.data);
            if (m.kind == jsonrpc::Kind::Invalid)
                emit logLine(QStringLiteral("%1 sent an invalid message (%2)").arg(describe(), m.error));
            else
                emit messageReceived(m.object);
        }
        if (m_stopping)
            return;
    }
    if (m_stream && m_parser.pendingBytes() > MaxEventBytes)
        m_stream->abort();
}

void SseUpstream::onStreamFinished()
{
    QNetworkReply* reply = m_stream;
    m_stream.clear();
    if (!reply)
        return;
    reply->deleteLater();
    if (m_stopping)
        return;
    // In this protocol the stream is the session: losing it loses everything in flight.
    m_postUrl.clear();
    m_lost = true;
    emit lost(QStringLiteral("the HTTP+SSE stream of %1 closed").arg(describe()));
}

} // namespace gatehouse
