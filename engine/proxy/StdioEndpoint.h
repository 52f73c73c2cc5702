// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QSocketNotifier>

namespace gatehouse {

class ClientSession;
class PolicyGate;
class Upstream;
class UpstreamServer;

// The proxy itself speaking MCP on its stdin and stdout, for clients that can only launch a command:
// one session, newline-delimited JSON-RPC. Logs never go to stdout. EOF on stdin ends the session.
class StdioEndpoint : public QObject
{
    Q_OBJECT
public:
    StdioEndpoint(UpstreamServer* server, PolicyGate* gate, int inFd = 0, int outFd = 1,
                  QObject* parent = nullptr);
    ~StdioEndpoint() override;

    static constexpr qsizetype MaxLineBytes = 4 * 1024 * 1024;

signals:
    void finished();

private:
    void onReadable();
    void handleLine(const QByteArray& line);
    void write(const QJsonObject& message);

    int m_in;
    int m_out;
    QSocketNotifier m_notifier;
    QByteArray m_buffer;
    bool m_discarding = false; // inside an over-long line
    UpstreamServer* m_server;
    Upstream* m_upstream;
    ClientSession* m_session;
};

} // namespace gatehouse
