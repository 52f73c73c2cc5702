// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpConnection.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTcpServer>
#include <QTimer>
#include <functional>

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

    using Handler = std::function<void(HttpConnection*, const HttpRequest&)>;
    // Requests whose path is `prefix` or starts with `prefix` + "/" go to the handler; the longest
    // matching prefix wins; anything else is answered 404.
    void route(const QByteArray& prefix, Handler handler);

    // DNS rebinding defence: does the Host header name this listener (by a loopback name or its address)?
    bool isOwnHost(const HttpRequest& request) const;
    // 127.0.0.1, localhost or ::1, as QUrl::host() spells them.
    static bool isLoopbackName(const QString& host);

    void setLimits(const HttpConnection::Limits& limits) { m_limits = limits; }
    void setMaxConnections(int max) { m_maxConnections = max; }
    int connectionCount() const { return int(m_connections.size()); }

private:
    void onNewConnection();
    void dispatch(HttpConnection* connection, const HttpRequest& request);
    void sweep();

    QTcpServer m_server;
    QTimer m_sweep;
    HttpConnection::Limits m_limits;
    int m_maxConnections = 256;
    QSet<HttpConnection*> m_connections;
    QList<QPair<QByteArray, Handler>> m_routes;
};

} // namespace gatehouse
