// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpServer.h"

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
        connect(connection, &HttpConnection::requestReceived, this, &HttpServer::requestReceived);
        connect(connection, &HttpConnection::closed, this,
                [this](HttpConnection* c) { m_connections.remove(c); });
    }
}

void HttpServer::sweep()
{
    const auto connections = m_connections; // checkDeadlines may close one
    for (HttpConnection* c : connections)
        c->checkDeadlines();
}

} // namespace gatehouse
