// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mcp/StatelessEra.h"

#include <QJsonObject>
#include <QString>
#include <optional>

namespace gatehouse {

struct HttpRequest;

// A POST of the stateless era (MCP 2026-07-28), sent without Mcp-Session-Id: its params._meta carries
// "io.modelcontextprotocol/protocolVersion", or its MCP-Protocol-Version header names the era (then a
// missing _meta is refused as the era refuses it, not taken for a session-era request).
bool isStatelessMessage(const QJsonObject& message, const HttpRequest& request);
// The session era's methods this era removed: a server answers them 404 / -32601.
bool isRemovedInStatelessEra(const QString& method);

// Why a stateless request must be refused before anything reads it: the HTTP status, the JSON-RPC error
// and its data. Missing _meta keys: 400 / -32602; MCP-Protocol-Version, Mcp-Method or Mcp-Name
// disagreeing with the body (or missing): 400 / -32020 {mismatch: {header, body}}; a version both
// agree on but Gatehouse does not speak: 400 / -32022 {supported, requested}.
struct StatelessRefusal
{
    int status = 400;
    int code = 0;
    QString message;
    QJsonObject data;
};
std::optional<StatelessRefusal> checkStatelessRequest(const QJsonObject& message, const HttpRequest& request);
// A tools/call's Mcp-Param-* headers against its arguments, for the arguments the server's tools/list
// marked with x-mcp-header (`known`): a header missing while its argument is set, one that disagrees with
// it, or one that is not valid Base64 inside =?base64?…?= is 400 / -32020.
std::optional<StatelessRefusal> checkParamHeaders(const QJsonObject& message, const HttpRequest& request,
                                                  const stateless::ParamHeaders& known);

} // namespace gatehouse
