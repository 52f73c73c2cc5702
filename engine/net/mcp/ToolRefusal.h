// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/Decision.h"

#include <QJsonObject>

namespace gatehouse {

// How a refused tools/call looks on the wire (policy specification, "On the wire"): a hidden tool is a
// -32602 error that does not disclose the tool exists; every other refusal is a CallToolResult with
// isError and one text an agent can act on, never a success-shaped denial.
QJsonObject toolRefusalResponse(const QJsonValue& id, const QString& tool, const Decision& decision);
QString toolRefusalText(const Decision& decision);

} // namespace gatehouse
