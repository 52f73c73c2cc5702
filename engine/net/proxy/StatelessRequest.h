// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>

namespace gatehouse {

struct HttpRequest;

// A POST of the stateless era (MCP 2026-07-28), told apart by its body: a message whose params._meta
// carries "io.modelcontextprotocol/protocolVersion", sent without Mcp-Session-Id, and not initialize.
bool isStatelessMessage(const QJsonObject& message, const HttpRequest& request);

// Why a stateless request must be refused before anything reads it: the HTTP status, the JSON-RPC error
// and its data. Unsupported version: 400 / -32022 {supported, requested}; missing _meta keys: 400 /
// -32602; MCP-Protocol-Version, Mcp-Method or Mcp-Name disagreeing with the body (or missing): 400 /
// -32020 {mismatch: {header, body}}.
struct StatelessRefusal
{
    int status = 400;
    int code = 0;
    QString message;
    QJsonObject data;
};
std::optional<StatelessRefusal> checkStatelessRequest(const QJsonObject& message, const HttpRequest& request);

} // namespace gatehouse
