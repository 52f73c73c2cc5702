// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpRequest.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <functional>
#include <http_parser.h>
#include <memory>

namespace gatehouse {

// One client TCP connection speaking HTTP/1.1. Requests are parsed by http_parser one at a time: while
// a request waits for its response, parsing is paused, so pipelined requests are answered in order.
// A response is either whole (respond) or a chunked stream (beginStream, writeChunk, endStream), which
// is how Server-Sent Events go out. A refused request (400, 408, 413, 431) is answered, then the connection
// shuts down its sending side and reads on for a bounded time before closing (a lingering close), so
// the client gets the answer instead of a reset from unread bytes.
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
    // Runs once if the connection closes before the current request is answered; cleared when it is.
    // One per request, so a keep-alive connection carrying a million requests holds none of them.
    void setAbandonHandler(std::function<void()> handler) { m_abandoned = std::move(handler); }
    // Called about once a second by the server: enforces the header, request and idle deadlines.
    void checkDeadlines();

    // A client that stops reading its stream is cut off once this much is queued for it.
    static constexpr qint64 MaxQueuedBytes = 16 * 1024 * 1024;
    // A lingering close reads (and drops) at most this much, for at most this long.
    static constexpr qint64 MaxDrainBytes = 64 * 1024 * 1024;
    static constexpr int DrainMs = 2'000;

signals:
    void requestReceived(gatehouse::HttpConnection* connection, const gatehouse::HttpRequest& request);
    void closed(gatehouse::HttpConnection* connection);

private:
    enum class State
    {
        Reading,
        Responding,
        Streaming,
        Draining, // refused: answer sent, sending side shut, reading what the client still sends
        Closing
    };

    void onReadyRead();
    void parse();
    void fail(int status, const QByteArray& message);
    void finishResponse();
    void drain();
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
    bool m_noVersion = false; // an HTTP/0.9-style request line
    bool m_refused = false;   // the response going out refuses the request: close lingering
    qint64 m_drained = 0;
    std::function<void()> m_abandoned;
    State m_state = State::Reading;
    QElapsedTimer m_requestClock;
    QElapsedTimer m_lastActivity;
};

} // namespace gatehouse
