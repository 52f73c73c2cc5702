// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace gatehouse::mcp {

// The client capability a server's request to the client needs ("roots" for roots/list, "sampling",
// "elicitation"), or "" for a request any client answers (ping).
QString capabilityFor(const QString& method);

// Whether a client that declared `capabilities` in its initialize may be sent `request`. A server must
// not send what the client cannot answer; Gatehouse answers such a request itself (-32601). URL-mode
// elicitation (2025-11-25) needs "elicitation": {"url": {}}; an empty "elicitation" object means form mode.
bool clientCanAnswer(const QJsonObject& capabilities, const QJsonObject& request);
// Whether those capabilities include URL-mode elicitation (a link the client opens for its person).
bool takesUrlElicitation(const QJsonObject& capabilities);

} // namespace gatehouse::mcp
