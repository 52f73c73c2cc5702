// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace gatehouse::mcp {

// The versions of MCP Gatehouse speaks with its clients: one list, below the endpoints that use it.
// The session era's (initialize), oldest first.
const QStringList& sessionEraVersions();
// The stateless era's one version (2026-07-28: no initialize, every request carries its _meta).
QString statelessVersion();
// All of them, newest first: server/discover's supportedVersions and the list sent with an unsupported one.
QStringList versionsNewestFirst();

} // namespace gatehouse::mcp
