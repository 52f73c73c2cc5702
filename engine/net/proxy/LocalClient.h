// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Upstream.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <functional>

namespace gatehouse {

class ClientSession;
class PolicyGate;
class Upstream;
class UpstreamServer;

// An MCP client inside Gatehouse itself, for the app: its tool calls go through the same ClientSession
// as any agent's (policy, approvals, audit, monitor), labelled with the grant it acts as. It also
// lists the server's tools unfiltered, because the policy editor must show the hidden ones too.
class LocalClient : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(const QJsonObject& response)>;

    LocalClient(UpstreamServer* server, PolicyGate* gate, const QString& grant, QObject* parent = nullptr);
    ~LocalClient() override;

    // Every tool the server offers, whatever the policy hides. The handler gets the tools/list response.
    void listTools(Handler handler);
    // A tools/call as an agent would send it: decided by the policy, recorded, then forwarded.
    void callTool(const QString& tool, const QJsonObject& arguments, Handler handler);

signals:
    void toolsListChanged();

private:
    void initialize();
    void whenReady(std::function<void()> then);
    void onOutgoing(const QJsonObject& message, const QJsonValue& related);

    UpstreamServer* m_server;
    PolicyGate* m_gate;
    QPointer<Upstream> m_upstream; // gone when the proxy stops first
    ClientSession* m_session;
    QHash<QString, Handler> m_handlers; // by request id
    qint64 m_nextId = 1;
    enum class State
    {
        New,
        Initializing,
        Ready,
        Failed
    } m_state = State::New;
    QString m_failure;
    QList<std::function<void()>> m_waiting;
};

} // namespace gatehouse
