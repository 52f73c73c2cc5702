// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpServer.h"

#include <QUrl>

namespace gatehouse {

HttpServer::HttpServer(QObject* parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
    m_sweep.setInterval(1000);
    connect(&m_sweep, &QTimer::timeout, this, &HttpServer::sweep);
}

bool HttpServer::listen(const QHostAddress& address, quint16 port)
{
    if (!m_server.listen(address, port))
        return false;
    m_sweep.start();
    return true;
}

void HttpServer::close()
{
    m_server.close();
    m_sweep.stop();
    for (HttpConnection* c : std::as_const(m_connections))
        c->close();
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        if (connectionCount() >= m_maxConnections) {
            // Over the cap: say so and hang up, rather than leave the client waiting.
            socket->write(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n"
                "Connection: close\r\nRetry-After: 1\r\n\r\ntoo many open connections");
            socket->disconnectFromHost();
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        auto* connection = new HttpConnection(socket, m_limits, this);
        m_connections.insert(connection);
        connect(connection, &HttpConnection::requestReceived, this, &HttpServer::dispatch);
        connect(connection, &HttpConnection::closed, this,
                [this](HttpConnection* c) { m_connections.remove(c); });
    }
}

void HttpServer::route(const QByteArray& prefix, Handler handler)
{
    m_routes.append({prefix, std::move(handler)});
    std::sort(m_routes.begin(), m_routes.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void HttpServer::dispatch(HttpConnection* connection, const HttpRequest& request)
{
    for (const auto& [prefix, handler] : std::as_const(m_routes)) {
        if (request.path == prefix || request.path.startsWith(QByteArray(prefix + '/'))) {
            handler(connection, request);
            return;
        }
    }
    connection->respond(404, HttpHeaders().add("Content-Type", "text/plain; charset=utf-8"), "not found\n");
}

bool HttpServer::isOwnHost(const HttpRequest& request) const
{
    const QByteArray host = request.header("host");
    if (host.isEmpty() || request.headerCount("host") != 1)
        return false;
    const QUrl url(QStringLiteral("http://") + QString::fromLatin1(host));
    if (!url.isValid() || url.port() != port())
        return false;
    const QString name = url.host();
    return isLoopbackName(name) || QHostAddress(name) == address();
}

bool HttpServer::isLoopbackName(const QString& host)
{
    return host == u"127.0.0.1" || host == u"localhost" || host == u"::1";
}

void HttpServer::sweep()
{
    const auto connections = m_connections; // checkDeadlines may close one
    for (HttpConnection* c : connections)
        c->checkDeadlines();
}

} // namespace gatehouse
