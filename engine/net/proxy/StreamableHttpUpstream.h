// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpTarget.h"
#include "UpstreamTransport.h"
#include "mcp/JsonRpc.h"
#include "mcp/SseParser.h"
#include "mcp/StatelessEra.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

namespace gatehouse {

// One connection to an MCP server over Streamable HTTP. Each message is a POST answered by 202, one
// JSON object, or an event stream whose messages belong to that request. In the session era
// (2025-03-26 to 2025-11-25) the session id and protocol version go back on every request, a GET stream
// carries what the server starts itself, and DELETE ends the session. A message that carries the
// 2026-07-28 era's _meta is sent that era's way instead: on its own, with the era's headers
// (MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-* as the server's tools/list asks), and cancelled
// by closing its stream. Which era to speak is EraAdapter's choice; this class only carries messages.
//
// A refusal (an HTTP error) is answered to the request as a JSON-RPC error: the server's own code when
// its body is one, and the HTTP status in error.data.httpStatus.
class StreamableHttpUpstream final : public UpstreamTransport
{
    Q_OBJECT
public:
    explicit StreamableHttpUpstream(HttpTarget target, QObject* parent = nullptr);
    ~StreamableHttpUpstream() override;

    void start() override;
    void stop() override;
    bool isReady() const override { return m_started; }
    void send(const QJsonObject& message) override;
    bool isShared() const override { return false; }
    QString describe() const override;

    static constexpr qsizetype MaxEventBytes = 64 * 1024 * 1024;

private:
    struct Post
    {
        SseParser parser;
        QJsonObject sent;
        bool stateless = false;
        bool answered = false;
        QByteArray body;       // an application/json body as it arrives
        bool lines = true;     // ... taken as newline-delimited messages while its lines parse one by one
        qsizetype scanned = 0; // of `body`, searched for a line end already
    };

    QNetworkRequest makeRequest(bool post, bool stateless) const;
    void post(const QJsonObject& message, bool stateless);
    bool cancelStateless(const QJsonObject& cancelled); // true: a stream was closed
    void onPostData(QNetworkReply* reply);
    void onPostFinished(QNetworkReply* reply);
    void deliver(const QByteArray& json, const Post& post, bool* answered);
    void deliver(const jsonrpc::Message& m, const Post& post, bool* answered);
    static QList<jsonrpc::Message> takeLines(Post& post, bool finished);
    void deliverBody(Post& post);
    void failRequest(const QJsonObject& sent, int status, const QByteArray& body, const QString& why);
    void openStream();
    void onStreamData();
    void onStreamFinished();

    HttpTarget m_target;
    QNetworkAccessManager m_nam;
    bool m_started = false;
    bool m_stopping = false;
    QByteArray m_sessionId;
    QByteArray m_protocolVersion;
    QJsonValue m_initializeId; // of the session's initialize, to learn the protocol version
    QHash<QNetworkReply*, Post> m_posts;
    QPointer<QNetworkReply> m_stream; // the session's GET stream
    SseParser m_streamParser;
    int m_streamFailures = 0;
    QTimer m_reopen;
    stateless::ParamHeaders m_paramHeaders; // Mcp-Param-* per tool, from tools/list (stateless era)
};

} // namespace gatehouse
