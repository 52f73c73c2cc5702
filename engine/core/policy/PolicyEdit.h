// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Policy.h"

namespace gatehouse {

// The edits the app makes to a policy, one tool at a time, as plain functions of a Policy value so
// every editor (table, detail panel, call monitor menu, approvals) changes it the same way.
namespace policyedit {

// What one click in the editor sets: the tool's action, or hiding it. Hiding keeps the tool's other
// settings; any other state un-hides it.
enum class ToolState
{
    Allow,
    Deny,
    Hide,
    Approve
};

ToolState toolState(const Policy& policy, const QString& tool);
// Has rules beyond a plain state (conditions of any kind): the editor calls such a tool "Custom".
bool hasRules(const Policy& policy, const QString& tool);
void setToolState(Policy& policy, const QString& tool, ToolState state);
ToolPolicy& toolPolicy(Policy& policy, const QString& tool); // created when missing
// "Always allow" / "always deny" at an approval: the tool's action, and no more asking when allowed.
void setToolAction(Policy& policy, const QString& tool, ToolAction action);
// Adds a per-grant rate limit named after the tool, or changes the one the app added before.
void limitTool(Policy& policy, const QString& tool, qint64 max, LimitWindow window, LimitScope scope);
// A short description for the table: "30/minute per grant · 2 rules".
QString summarize(const Policy& policy, const QString& tool);

} // namespace policyedit
} // namespace gatehouse
