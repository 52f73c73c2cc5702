// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mcp/StdioLines.h"

#include <QJsonObject>
#include <QObject>

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
    void handleLine(const QByteArray& line);
    void write(const QJsonObject& message);

    StdioLines m_lines;
    UpstreamServer* m_server;
    Upstream* m_upstream;
    ClientSession* m_session;
};

} // namespace gatehouse
