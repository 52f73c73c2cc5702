// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "UpstreamTransport.h"
#include "mcp/InputRounds.h"
#include "mcp/SseParser.h"

#include <QHash>
#include <QList>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

class QNetworkReply;

namespace gatehouse {

// One client session with an MCP server over HTTP. Streamable HTTP (2025-03-26 and later): each
// message is a POST answered by 202, one JSON object, or an event stream; the session id and protocol
// version are sent back on every request; a GET stream carries what the server starts itself; DELETE
// ends the session. If the first POST (initialize) is refused with 400, 404 or 405, the server is taken
// for a 2024-11-05 HTTP+SSE server, as the specification's backwards-compatibility rule says: a GET
// opens the event stream, whose "endpoint" event names where to POST. A 400 that carries an error only
// the stateless era sends (-32020…-32022) means a 2026-07-28 server instead: the session is then spoken
// to it statelessly (see StatelessEra), and the verdict is kept for the URL, so later sessions skip the
// probe. Translation for session-era clients: initialize is answered from server/discover; each request
// carries the era's _meta and headers; a cancellation closes the request's stream; an input-required
// result becomes requests to the client (elicitation, sampling, roots) whose answers are sent back as
// inputResponses; list changes come from a subscriptions/listen stream.
class HttpUpstream final : public UpstreamTransport
{
    Q_OBJECT
public:
    struct Endpoint
    {
        QUrl url;
        QList<QPair<QByteArray, QByteArray>> headers; // e.g. an API key; never the client's credentials
    };

    explicit HttpUpstream(Endpoint endpoint, QObject* parent = nullptr);
    ~HttpUpstream() override;

    void start() override;
    void stop() override;
    bool isReady() const override { return m_started; }
    void send(const QJsonObject& message) override;
    bool isShared() const override { return false; }
    QString describe() const override;

    bool isLegacy() const { return m_mode == Mode::Legacy; }
    bool isStateless() const { return m_mode == Mode::Stateless; }

    static constexpr qsizetype MaxEventBytes = 64 * 1024 * 1024;

private:
    enum class Mode
    {
        Streamable,
        Legacy,
        Stateless
    };

    QNetworkRequest makeRequest(const QUrl& url, bool post) const;
    void post(const QJsonObject& message);
    void onPostData(QNetworkReply* reply);
    void onPostFinished(QNetworkReply* reply, const QJsonObject& sent);
    void deliver(const QByteArray& json, const QJsonObject& sent, bool* answered);
    void failRequest(const QJsonObject& sent, const QString& why);
    void openStream();
    void onStreamData();
    void onStreamFinished();
    void switchToLegacy(const QJsonObject& firstMessage);
    // The stateless era (2026-07-28).
    void switchToStateless(const QJsonObject& initialize);
    void sendStateless(const QJsonObject& message);
    bool consumeStateless(const QJsonObject& message,
                          const QJsonObject& sent); // true: it stays with Gatehouse
    void retry(const QString& round);
    void listen();

    Endpoint m_endpoint;
    QNetworkAccessManager m_nam;
    Mode m_mode = Mode::Streamable;
    bool m_started = false;
    bool m_stopping = false;
    QByteArray m_sessionId;
    QByteArray m_protocolVersion;
    QJsonValue m_initializeId; // id of the initialize request, to learn the protocol version

    struct PostState
    {
        SseParser parser;
        QJsonObject sent;
        bool answered = false;
    };
    QHash<QNetworkReply*, PostState> m_posts;

    QPointer<QNetworkReply> m_stream; // GET stream (server-initiated messages, or the legacy channel)
    SseParser m_streamParser;
    int m_streamFailures = 0;
    QUrl m_legacyPostUrl;
    QList<QJsonObject> m_legacyQueue;
    QTimer m_reopen;

    QJsonObject m_clientCapabilities; // from the client's initialize, sent as the era's _meta
    QJsonObject m_clientInfo;
    QString m_clientVersion;
    QJsonValue m_statelessInitId; // the client's initialize, answered from server/discover
    QJsonObject m_discovered;
    InputRounds m_input;                         // input-required results put to the client
    QHash<QString, QJsonObject> m_roundRequests; // the client's request of each such round
    QHash<QString, QJsonObject> m_retries;       // our retry id → the client's request
    QHash<QString, QList<QPair<QString, QByteArray>>> m_paramHeaders; // Mcp-Param-* per tool, from tools/list
    qint64 m_nextId = 1;
};

} // namespace gatehouse
