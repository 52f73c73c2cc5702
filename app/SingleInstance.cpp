// SPDX-License-Identifier: GPL-3.0-or-later
#include "SingleInstance.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <unistd.h>

namespace gatehouse::cli {

SingleInstance::SingleInstance(QObject* parent)
    : QObject(parent)
{
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
                if (!socket->canReadLine())
                    return;
                const QJsonArray args = QJsonDocument::fromJson(socket->readLine()).array();
                QStringList list;
                for (const QJsonValue& v : args)
                    list << v.toString();
                emit activated(list);
                socket->disconnectFromServer();
            });
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

QString SingleInstance::serverName()
{
    return QStringLiteral("gatehouse-app-%1").arg(::getuid());
}

bool SingleInstance::handOver(const QStringList& arguments)
{
    QLocalSocket socket;
    socket.connectToServer(serverName());
    if (!socket.waitForConnected(500))
        return false; // nobody there (or a stale socket file, which listen() clears)
    socket.write(QJsonDocument(QJsonArray::fromStringList(arguments)).toJson(QJsonDocument::Compact) + '\n');
    socket.waitForBytesWritten(1000);
    socket.waitForDisconnected(1000);
    return true;
}

bool SingleInstance::listen(QString* error)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption); // this user only
    if (m_server.listen(serverName()))
        return true;
    // A socket left by a crashed instance: no one answered handOver(), so it is safe to take over.
    QLocalServer::removeServer(serverName());
    if (m_server.listen(serverName()))
        return true;
    *error = m_server.errorString();
    return false;
}

} // namespace gatehouse::cli
