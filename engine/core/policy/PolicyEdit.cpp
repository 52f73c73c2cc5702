// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyEdit.h"

namespace gatehouse::policyedit {

ToolState toolState(const Policy& policy, const QString& tool)
{
    if (policy.isHidden(tool))
        return ToolState::Hide;
    const ToolPolicy* t = policy.tool(tool);
    const std::optional<ToolAction> action = t && t->action ? t->action
                                             : t            ? std::optional<ToolAction>(ToolAction::Allow)
                                                            : std::nullopt;
    if (!action) { // not listed: the default decides
        switch (policy.defaultAction) {
        case PolicyDefault::Allow:
            return ToolState::Allow;
        case PolicyDefault::Approve:
            return ToolState::Approve;
        case PolicyDefault::Deny:
            return ToolState::Deny;
        }
    }
    switch (*action) {
    case ToolAction::Allow:
        return ToolState::Allow;
    case ToolAction::Approve:
        return ToolState::Approve;
    case ToolAction::Deny:
        break;
    }
    return ToolState::Deny;
}

bool hasRules(const Policy& policy, const QString& tool)
{
    const ToolPolicy* t = policy.tool(tool);
    auto any = [](const std::optional<QList<Rule>>& rules) { return rules && !rules->isEmpty(); };
    return t && (any(t->require) || any(t->denyIf) || any(t->approveIf));
}

ToolPolicy& toolPolicy(Policy& policy, const QString& tool)
{
    if (!policy.tools)
        policy.tools = QHash<QString, ToolPolicy>();
    return (*policy.tools)[tool];
}

void setToolState(Policy& policy, const QString& tool, ToolState state)
{
    if (state == ToolState::Hide) {
        if (!policy.hide)
            policy.hide = QStringList();
        if (!policy.hide->contains(tool))
            policy.hide->append(tool);
        return;
    }
    if (policy.hide) {
        policy.hide->removeAll(tool);
        if (policy.hide->isEmpty())
            policy.hide.reset();
    }
    ToolPolicy& t = toolPolicy(policy, tool);
    switch (state) {
    case ToolState::Allow:
        t.action = ToolAction::Allow;
        break;
    case ToolState::Deny:
        t.action = ToolAction::Deny;
        break;
    case ToolState::Approve:
        t.action = ToolAction::Approve;
        break;
    case ToolState::Hide:
        break;
    }
}

void limitTool(Policy& policy, const QString& tool, qint64 max, LimitWindow window, LimitScope scope)
{
    ToolPolicy& t = toolPolicy(policy, tool);
    if (!t.limits)
        t.limits = QList<Limit>();
    const QString counter = tool + QStringLiteral("_rate");
    auto it = std::find_if(t.limits->begin(), t.limits->end(),
                           [&](const Limit& l) { return l.counter == counter; });
    if (it == t.limits->end())
        it = t.limits->insert(t.limits->end(), Limit{});
    it->counter = counter;
    it->max = max;
    it->window = window;
    it->scope = scope;
}

QString summarize(const Policy& policy, const QString& tool)
{
    QStringList parts;
    const ToolPolicy* t = policy.tool(tool);
    if (t && t->limits) {
        for (const Limit& l : *t->limits) {
            const QString per = l.effectiveScope() == LimitScope::Global
                                    ? QStringLiteral("in all")
                                    : QStringLiteral("per ") + limitScopeName(l.effectiveScope());
            parts << QStringLiteral("%1/%2 %3").arg(l.max).arg(l.window.describe(), per);
        }
    }
    int rules = 0;
    if (t) {
        for (const auto* list : {&t->require, &t->denyIf, &t->approveIf})
            rules += *list ? int((*list)->size()) : 0;
    }
    if (rules)
        parts << (rules == 1 ? QStringLiteral("1 rule") : QStringLiteral("%1 rules").arg(rules));
    if (policy.allTools && policy.allTools->limits && !policy.allTools->limits->isEmpty())
        parts << QStringLiteral("+ all_tools limits");
    if (!t && !policy.isHidden(tool))
        parts << QStringLiteral("(default: %1)").arg(policyDefaultName(policy.defaultAction));
    return parts.join(QStringLiteral(" · "));
}

void setToolAction(Policy& policy, const QString& tool, ToolAction action)
{
    ToolPolicy& t = toolPolicy(policy, tool);
    t.action = action;
    if (action == ToolAction::Allow)
        t.approveIf.reset(); // "always allow" means no more asking for this tool
}

} // namespace gatehouse::policyedit
