// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpTarget.h"
#include "UpstreamTransport.h"
#include "mcp/SseParser.h"

#include <QList>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSet>

class QNetworkReply;

namespace gatehouse {

// One connection to an MCP server of the 2024-11-05 HTTP+SSE transport: a GET opens the event stream,
// whose "endpoint" event names where to POST; every answer comes on that stream. The stream is the
// session: when it closes, everything in flight is lost (lost()).
class SseUpstream final : public UpstreamTransport
{
    Q_OBJECT
public:
    explicit SseUpstream(HttpTarget target, QObject* parent = nullptr);
    ~SseUpstream() override;

    void start() override;
    void stop() override;
    bool isReady() const override { return m_started; }
    void send(const QJsonObject& message) override; // queued until the endpoint is known
    bool isShared() const override { return false; }
    QString describe() const override;

    static constexpr qsizetype MaxEventBytes = 64 * 1024 * 1024;

private:
    QNetworkRequest makeRequest(const QUrl& url, bool post) const;
    void post(const QJsonObject& message);
    void onStreamData();
    void onStreamFinished();

    HttpTarget m_target;
    QNetworkAccessManager m_nam;
    bool m_started = false;
    bool m_stopping = false;
    bool m_lost = false; // the stream closed: this session is over
    QPointer<QNetworkReply> m_stream;
    SseParser m_parser;
    QUrl m_postUrl;
    QList<QJsonObject> m_queue;
    QSet<QNetworkReply*> m_posts;
};

} // namespace gatehouse
