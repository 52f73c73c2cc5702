// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpRequest.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <http_parser.h>
#include <memory>

namespace gatehouse {

// One client TCP connection speaking HTTP/1.1. Requests are parsed by http_parser one at a time: while
// a request waits for its response, parsing is paused, so pipelined requests are answered in order.
// A response is either whole (respond) or a chunked stream (beginStream, writeChunk, endStream), which
// is how Server-Sent Events go out.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        qint64 maxBodyBytes = 4 * 1024 * 1024;
        int headerTimeoutMs = 10'000;  // a request's headers must arrive within this (slowloris)
        int requestTimeoutMs = 30'000; // and its body within this
        int idleTimeoutMs = 60'000;    // keep-alive connections with nothing to do are closed
    };

    HttpConnection(QTcpSocket* socket, const Limits& limits, QObject* parent = nullptr);
    ~HttpConnection() override;

    void respond(int status, const HttpHeaders& headers, const QByteArray& body);
    void beginStream(int status, const HttpHeaders& headers);
    void writeChunk(const QByteArray& data);
    void endStream();

    bool isStreaming() const { return m_state == State::Streaming; }
    bool isIdle() const { return m_state == State::Reading && !m_requestStarted; }
    qint64 idleMs() const { return m_lastActivity.elapsed(); }
    qint64 bytesToWrite() const;
    void close();
    // Called about once a second by the server: enforces the header, request and idle deadlines.
    void checkDeadlines();

    // A client that stops reading its stream is cut off once this much is queued for it.
    static constexpr qint64 MaxQueuedBytes = 16 * 1024 * 1024;

signals:
    void requestReceived(gatehouse::HttpConnection* connection, const gatehouse::HttpRequest& request);
    void closed(gatehouse::HttpConnection* connection);

private:
    enum class State
    {
        Reading,
        Responding,
        Streaming,
        Closing
    };

    void onReadyRead();
    void parse();
    void fail(int status, const QByteArray& message);
    void finishResponse();
    QByteArray head(int status, const HttpHeaders& headers, const QByteArray& framing) const;

    static int onMessageBegin(http_parser* p);
    static int onUrl(http_parser* p, const char* at, size_t length);
    static int onHeaderField(http_parser* p, const char* at, size_t length);
    static int onHeaderValue(http_parser* p, const char* at, size_t length);
    static int onHeadersComplete(http_parser* p);
    static int onBody(http_parser* p, const char* at, size_t length);
    static int onMessageComplete(http_parser* p);

    QPointer<QTcpSocket> m_socket;
    Limits m_limits;
    http_parser m_parser{};
    http_parser_settings m_settings{};
    QByteArray m_buffer; // received, not yet parsed
    HttpRequest m_request;
    QByteArray m_url;
    QByteArray m_field;
    bool m_lastWasValue = false;
    bool m_requestStarted = false;
    bool m_headersDone = false;
    bool m_keepAlive = true;
    int m_bodyTooLarge = 0;
    State m_state = State::Reading;
    QElapsedTimer m_requestClock;
    QElapsedTimer m_lastActivity;
};

} // namespace gatehouse
