// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QObject>

namespace gatehouse {

// One connection to an upstream MCP server that carries JSON-RPC messages both ways. A transport that
// loses its server reports it with lost() and, where it can, comes back with ready() again.
class UpstreamTransport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void start() = 0;
    virtual void stop() = 0;
    virtual bool isReady() const = 0;
    virtual void send(const QJsonObject& message) = 0;
    // Whether several client sessions share this one connection (a stdio child) or each gets its own.
    virtual bool isShared() const = 0;
    virtual QString describe() const = 0;

signals:
    void ready();
    // `related`: the id of the request this message belongs to, when the transport can tell (what arrives
    // on a request's HTTP stream; an adapter's questions for a call).
    void messageReceived(const QJsonObject& message,
                         const QJsonValue& related = QJsonValue(QJsonValue::Undefined));
    void lost(const QString& reason);
    void logLine(const QString& line);
};

} // namespace gatehouse
