// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace gatehouse {

// Checks tool arguments against the JSON Schema subset MCP tool schemas use (type, enum, required,
// additionalProperties, string length and pattern, numeric bounds, array items, uuid and uri formats).
// Returns an empty string when the arguments fit, else one sentence naming the field.
QString checkAgainstSchema(const QJsonObject& arguments, const QJsonObject& schema);
// A property's JSON type: "type", or the first non-null one of a list (["string", "null"]); "" if none.
QString schemaType(const QJsonObject& schema);

} // namespace gatehouse
