// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpConnection.h"

#include <QTimer>
#include <climits>
#include <sys/socket.h>

namespace gatehouse {

namespace {
HttpConnection* self(http_parser* p)
{
    return static_cast<HttpConnection*>(p->data);
}

// False for a whole request line without " HTTP/x.y" at its end (HTTP/0.9 style, which http_parser
// accepts and would then wait for headers); true while the line is still incomplete.
bool hasVersion(const QByteArray& buffer)
{
    qsizetype start = 0;
    while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n'))
        ++start; // empty lines before a request are allowed
    const qsizetype end = buffer.indexOf('\n', start);
    if (end < 0)
        return true;
    const QByteArray line = buffer.mid(start, end - start).trimmed();
    const qsizetype space = line.lastIndexOf(' ');
    return space > 0 && line.mid(space + 1).startsWith("HTTP/");
}
} // namespace

HttpConnection::HttpConnection(QTcpSocket* socket, const Limits& limits, QObject* parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
{
    socket->setParent(this);
    // Responses go out in several small writes (head, events, end); Nagle's algorithm would hold each
    // back for the peer's delayed ACK, some 40 ms a call.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    m_settings.on_message_begin = &HttpConnection::onMessageBegin;
    m_settings.on_url = &HttpConnection::onUrl;
    m_settings.on_header_field = &HttpConnection::onHeaderField;
    m_settings.on_header_value = &HttpConnection::onHeaderValue;
    m_settings.on_headers_complete = &HttpConnection::onHeadersComplete;
    m_settings.on_body = &HttpConnection::onBody;
    m_settings.on_message_complete = &HttpConnection::onMessageComplete;
    m_lastActivity.start();

    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        m_state = State::Closing;
        if (auto abandoned = std::exchange(m_abandoned, {}))
            abandoned();
        emit closed(this);
        deleteLater();
    });
}

HttpConnection::~HttpConnection() = default;

qint64 HttpConnection::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void HttpConnection::onReadyRead()
{
    m_lastActivity.restart();
    if (m_state == State::Draining) {
        m_drained += m_socket->readAll().size();
        if (m_drained > MaxDrainBytes)
            close();
        return;
    }
    m_buffer += m_socket->readAll();
    if (m_state == State::Reading)
        parse();
}

void HttpConnection::parse()
{
    while (m_state == State::Reading && !m_buffer.isEmpty()) {
        if (!m_requestStarted && !hasVersion(m_buffer)) {
            fail(400, QByteArrayLiteral("malformed HTTP request: the request line has no HTTP version"));
            return;
        }
        const size_t n =
            http_parser_execute(&m_parser, &m_settings, m_buffer.constData(), size_t(m_buffer.size()));
        m_buffer.remove(0, qsizetype(n));
        const auto err = HTTP_PARSER_ERRNO(&m_parser);
        if (err == HPE_PAUSED) {
            // A whole request: hand it over and wait for its response before reading on.
            http_parser_pause(&m_parser, 0);
            m_state = State::Responding;
            const HttpRequest request = std::move(m_request);
            m_request = {};
            m_requestStarted = false;
            emit requestReceived(this, request);
            return;
        }
        if (m_noVersion) {
            fail(400, QByteArrayLiteral("malformed HTTP request: the request line has no HTTP version"));
            return;
        }
        if (m_bodyTooLarge) {
            fail(413, QByteArrayLiteral("request body larger than ") +
                          QByteArray::number(m_limits.maxBodyBytes) + QByteArrayLiteral(" bytes"));
            return;
        }
        if (err == HPE_HEADER_OVERFLOW) {
            fail(431, QByteArrayLiteral("request headers too large"));
            return;
        }
        if (err != HPE_OK) {
            fail(400, QByteArrayLiteral("malformed HTTP request: ") + http_errno_description(err));
            return;
        }
        if (n == 0)
            return;
    }
}

void HttpConnection::fail(int status, const QByteArray& message)
{
    m_keepAlive = false;
    m_refused = true;
    m_state = State::Responding;
    respond(status, HttpHeaders().add("Content-Type", "text/plain; charset=utf-8"), message + '\n');
}

QByteArray HttpConnection::head(int status, const HttpHeaders& headers, const QByteArray& framing) const
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + httpReasonPhrase(status) + "\r\n";
    for (const auto& [name, value] : headers.list)
        head += name + ": " + value + "\r\n";
    head += framing;
    head += m_keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    return head;
}

void HttpConnection::respond(int status, const HttpHeaders& headers, const QByteArray& body)
{
    if (!m_socket || m_state != State::Responding)
        return;
    m_socket->write(head(status, headers, "Content-Length: " + QByteArray::number(body.size()) + "\r\n") +
                    body);
    finishResponse();
}

void HttpConnection::beginStream(int status, const HttpHeaders& headers)
{
    if (!m_socket || m_state != State::Responding)
        return;
    m_socket->write(head(status, headers, "Transfer-Encoding: chunked\r\n"));
    m_state = State::Streaming;
}

void HttpConnection::writeChunk(const QByteArray& data)
{
    if (!m_socket || m_state != State::Streaming || data.isEmpty())
        return;
    if (m_socket->bytesToWrite() > MaxQueuedBytes) {
        // The client does not read what it asked for; cut it off rather than buffer without bound.
        close();
        return;
    }
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void HttpConnection::endStream()
{
    if (!m_socket || m_state != State::Streaming)
        return;
    m_socket->write("0\r\n\r\n");
    finishResponse();
}

void HttpConnection::finishResponse()
{
    m_lastActivity.restart();
    m_abandoned = {}; // answered
    if (m_refused) {
        drain();
        return;
    }
    if (!m_keepAlive) {
        m_state = State::Closing;
        m_socket->disconnectFromHost();
        return;
    }
    m_state = State::Reading;
    // Pipelined requests may already be buffered; parse them on the next turn of the event loop so the
    // caller of respond() is not re-entered.
    if (!m_buffer.isEmpty())
        QTimer::singleShot(0, this, [this] {
            if (m_state == State::Reading)
                parse();
        });
}

void HttpConnection::drain()
{
    // Closing now, with the rest of a refused body unread, would make the kernel send a reset that can
    // destroy the answer before the client reads it. Instead: send the answer, shut down sending (the
    // client sees the end of the response), and read and drop what still comes, for a bounded time.
    m_state = State::Draining;
    m_buffer.clear();
    m_drained = 0;
    const auto shutDown = [socket = m_socket] {
        if (socket && socket->socketDescriptor() >= 0)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    };
    if (m_socket->bytesToWrite() == 0) {
        shutDown();
    } else {
        connect(m_socket, &QTcpSocket::bytesWritten, this, [this, shutDown] {
            if (m_socket && m_socket->bytesToWrite() == 0)
                shutDown();
        });
    }
    QTimer::singleShot(DrainMs, this, [this] { close(); });
    // Anything already received is read and dropped at once.
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, [this] { onReadyRead(); });
}

void HttpConnection::close()
{
    m_state = State::Closing;
    if (m_socket)
        m_socket->abort();
}

void HttpConnection::checkDeadlines()
{
    if (m_state == State::Reading && m_requestStarted) {
        const qint64 limit = m_headersDone ? m_limits.requestTimeoutMs : m_limits.headerTimeoutMs;
        if (m_requestClock.elapsed() > limit)
            fail(408, QByteArrayLiteral("request not received in time"));
    } else if (m_state == State::Reading && m_lastActivity.elapsed() > m_limits.idleTimeoutMs) {
        close();
    }
}

int HttpConnection::onMessageBegin(http_parser* p)
{
    HttpConnection* c = self(p);
    c->m_request = {};
    c->m_url.clear();
    c->m_field.clear();
    c->m_lastWasValue = false;
    c->m_headersDone = false;
    c->m_noVersion = false;
    c->m_requestStarted = true;
    c->m_requestClock.start();
    return 0;
}

int HttpConnection::onUrl(http_parser* p, const char* at, size_t length)
{
    self(p)->m_url.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderField(http_parser* p, const char* at, size_t length)
{
    HttpConnection* c = self(p);
    if (c->m_lastWasValue)
        c->m_field.clear();
    c->m_field.append(at, qsizetype(length));
    c->m_lastWasValue = false;
    return 0;
}

int HttpConnection::onHeaderValue(http_parser* p, const char* at, size_t length)
{
    HttpConnection* c = self(p);
    if (!c->m_lastWasValue)
        c->m_request.headers.append({c->m_field.toLower(), QByteArray()});
    c->m_request.headers.last().second.append(at, qsizetype(length));
    c->m_lastWasValue = true;
    return 0;
}

int HttpConnection::onHeadersComplete(http_parser* p)
{
    HttpConnection* c = self(p);
    c->m_headersDone = true;
    c->m_keepAlive = http_should_keep_alive(p) != 0;
    if (p->http_major < 1) {
        c->m_noVersion = true; // http_parser takes "GET /path" alone as HTTP/0.9
        return -1;
    }
    c->m_request.method = http_method_str(static_cast<http_method>(p->method));
    const qsizetype q = c->m_url.indexOf('?');
    c->m_request.path = q < 0 ? c->m_url : c->m_url.left(q);
    c->m_request.query = q < 0 ? QByteArray() : c->m_url.mid(q + 1);
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > quint64(c->m_limits.maxBodyBytes)) {
        c->m_bodyTooLarge = 1;
        return -1;
    }
    return 0;
}

int HttpConnection::onBody(http_parser* p, const char* at, size_t length)
{
    HttpConnection* c = self(p);
    if (c->m_request.body.size() + qint64(length) > c->m_limits.maxBodyBytes) {
        c->m_bodyTooLarge = 1;
        return -1;
    }
    c->m_request.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete(http_parser* p)
{
    http_parser_pause(p, 1);
    return 0;
}

} // namespace gatehouse
