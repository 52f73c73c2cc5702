// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpConnection.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTcpServer>
#include <QTimer>

namespace gatehouse {

// Accepts TCP connections and turns them into HttpConnections, up to a cap; sweeps deadlines once a
// second (slow senders, idle keep-alive connections) while sparing open streams.
class HttpServer : public QObject
{
    Q_OBJECT
public:
    explicit HttpServer(QObject* parent = nullptr);

    bool listen(const QHostAddress& address, quint16 port);
    QString errorString() const { return m_server.errorString(); }
    QHostAddress address() const { return m_server.serverAddress(); }
    quint16 port() const { return m_server.serverPort(); }
    void close();

    void setLimits(const HttpConnection::Limits& limits) { m_limits = limits; }
    void setMaxConnections(int max) { m_maxConnections = max; }
    int connectionCount() const { return int(m_connections.size()); }

signals:
    void requestReceived(gatehouse::HttpConnection* connection, const gatehouse::HttpRequest& request);

private:
    void onNewConnection();
    void sweep();

    QTcpServer m_server;
    QTimer m_sweep;
    HttpConnection::Limits m_limits;
    int m_maxConnections = 256;
    QSet<HttpConnection*> m_connections;
};

} // namespace gatehouse
