// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <optional>

namespace gatehouse::stateless {

// Wire facts of the stateless era (MCP 2026-07-28) that both sides of the proxy need.
inline constexpr char Version[] = "2026-07-28";
inline const QString MetaPrefix = QStringLiteral("io.modelcontextprotocol/");

// Errors only a server of this era sends: a 4xx carrying one of them means "speak 2026-07-28 to me".
bool isEraError(int code); // -32020 header mismatch, -32021 missing capability, -32022 unsupported version
// A request or notification sent this era's way: its params._meta names this era's protocol version.
bool isEraRequest(const QJsonObject& message);

// A request as this era sends it: params._meta with the protocol version, and the client's capabilities
// and identity unless the request carries its own (a stateless client's, passed on).
QJsonObject withEraMeta(QJsonObject request, const QJsonObject& clientCapabilities,
                        const QJsonObject& clientInfo);
// The same without any of this era's _meta keys, for a server of the session era; `request` itself when it
// has none.
QJsonObject withoutEraMeta(const QJsonObject& request);
// The headers that must accompany it on HTTP: MCP-Protocol-Version, Mcp-Method, and Mcp-Name for
// tools/call, prompts/get (the name) and resources/read (the uri).
QList<QPair<QByteArray, QByteArray>> headersFor(const QJsonObject& request);
// Arguments a server wants mirrored in Mcp-Param-{Name} headers, from its tools/list result: per tool,
// the argument (a top-level property marked "x-mcp-header": "Name") and the header name.
using ParamHeaders = QHash<QString, QList<QPair<QString, QByteArray>>>;
void collectParamHeaders(const QJsonObject& listToolsResult, ParamHeaders* into);
// The Mcp-Param-* headers of a tools/call: values present and not null, as text.
QList<QPair<QByteArray, QByteArray>> paramHeadersFor(const QJsonObject& request, const ParamHeaders& known);
// How an argument appears in its Mcp-Param header: strings as they are, integers and booleans as text;
// nullopt for a value that has no header (absent, null, or of another type).
std::optional<QString> paramHeaderText(const QJsonValue& argument);
// A header value: plain when it is safe ASCII, else =?base64?…?= around its UTF-8. Decoding drops the
// optional whitespace around a field value (RFC 9110 §5.5); a =?base64?…?= whose inside is not strict
// Base64 (alphabet and padding) decodes to a null string.
QByteArray encodeHeaderValue(const QString& value);
QString decodeHeaderValue(const QByteArray& value);

// What a session-era client expects from initialize, made from a server/discover result.
QJsonObject initializeResultFrom(const QJsonObject& discover, const QString& clientVersion);

} // namespace gatehouse::stateless
