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
// A call that waits for a person, told to the agent that cannot wait on the line: come back with the same
// arguments. An isError result, so that no agent takes it for the tool's answer; `_meta` carries the
// approval for clients that read it.
inline constexpr char ApprovalMetaKey[] = "gatehouse/approval";
QJsonObject approvalPendingResponse(const QJsonValue& id, const QString& tool, const QString& approvalId,
                                    int retryAfterSeconds);

// The same, told to a 2025-11-25 client that declared URL elicitation: error -32042 (URL elicitation
// required) with the approval's page for its person; the elicitation's id is the approval's, and
// notifications/elicitation/complete with it says when to call again.
inline constexpr int UrlElicitationRequired = -32042;
QJsonObject approvalLinkResponse(const QJsonValue& id, const QString& tool, const QString& approvalId,
                                 const QString& pageUrl);
QJsonObject elicitationCompleteNotification(const QString& approvalId);
// The same, told to a 2026-07-28 client that declared URL elicitation on its request: an input-required
// result asking its person to open the page (input "gatehouse-approval"), and the requestState its
// retry brings back.
inline constexpr char ApprovalInputKey[] = "gatehouse-approval";
QJsonObject approvalInputRequiredResponse(const QJsonValue& id, const QString& tool,
                                          const QString& approvalId, const QString& pageUrl,
                                          const QString& requestState);

} // namespace gatehouse
