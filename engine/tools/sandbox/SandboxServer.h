// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RolliSandbox.h"
#include "mcp/StdioLines.h"

#include <QObject>

namespace gatehouse {

// Serves a RolliSandbox as an MCP server over stdio (newline-delimited JSON-RPC): initialize, ping,
// tools/list, tools/call. What `gatehouse sandbox` runs, and what Gatehouse runs when nothing else
// is configured.
class SandboxServer : public QObject
{
    Q_OBJECT
public:
    SandboxServer(RolliSandbox* sandbox, int inFd = 0, int outFd = 1, QObject* parent = nullptr);

signals:
    void finished();

private:
    void onLine(const QByteArray& line);
    QJsonObject handle(const QJsonObject& request);

    RolliSandbox* m_sandbox;
    StdioLines m_lines;
};

} // namespace gatehouse
