// SPDX-License-Identifier: GPL-3.0-or-later
#include "Policy.h"

namespace gatehouse {

bool Rule::matches(const QJsonObject& arguments) const
{
    if (!conditions)
        return true;
    for (const Condition& c : *conditions)
        if (!c.holds(arguments))
            return false;
    return true;
}

LimitWindow LimitWindow::named(Unit unit)
{
    switch (unit) {
    case Unit::Second:
        return {unit, 1};
    case Unit::Minute:
        return {unit, 60};
    case Unit::Hour:
        return {unit, 3600};
    case Unit::Day:
        return {unit, 86400};
    case Unit::Seconds:
        break;
    }
    return {Unit::Seconds, 1};
}

QString LimitWindow::describe() const
{
    switch (unit) {
    case Unit::Second:
        return QStringLiteral("second");
    case Unit::Minute:
        return QStringLiteral("minute");
    case Unit::Hour:
        return QStringLiteral("hour");
    case Unit::Day:
        return QStringLiteral("day");
    case Unit::Seconds:
        break;
    }
    return seconds == 1 ? QStringLiteral("second") : QStringLiteral("%1 seconds").arg(seconds);
}

bool Policy::isHidden(const QString& toolName) const
{
    if (!hide)
        return false;
    for (const QString& h : *hide)
        if (h == toolName || h == u'*')
            return true;
    return false;
}

const ToolPolicy* Policy::tool(const QString& name) const
{
    if (!tools)
        return nullptr;
    const auto it = tools->constFind(name);
    return it == tools->constEnd() ? nullptr : &it.value();
}

int Policy::approvalTimeoutSeconds() const
{
    return approval && approval->timeoutSeconds ? *approval->timeoutSeconds
                                                : ApprovalSettings::DefaultTimeoutSeconds;
}

int Policy::approvalTimeoutSeconds(const QString& name) const
{
    const ToolPolicy* t = tool(name);
    return t && t->approvalTimeoutSeconds ? *t->approvalTimeoutSeconds : approvalTimeoutSeconds();
}

TimeoutOutcome Policy::approvalTimeoutOutcome() const
{
    return approval && approval->onTimeout ? *approval->onTimeout : TimeoutOutcome::Deny;
}

int Policy::approvalHoldSeconds() const
{
    return approval && approval->holdSeconds ? *approval->holdSeconds : ApprovalSettings::DefaultHoldSeconds;
}

int Policy::approvalValidSeconds() const
{
    return approval && approval->validSeconds ? *approval->validSeconds
                                              : ApprovalSettings::DefaultValidSeconds;
}

bool Policy::approvalLinksToClients() const
{
    return !approval || approval->clientLinks.value_or(true);
}

bool Policy::approvalWithdrawsOnCancel() const
{
    return approval && approval->withdrawOnCancel.value_or(false);
}

QString policyDefaultName(PolicyDefault d)
{
    switch (d) {
    case PolicyDefault::Allow:
        return QStringLiteral("allow");
    case PolicyDefault::Deny:
        return QStringLiteral("deny");
    case PolicyDefault::Approve:
        return QStringLiteral("approve");
    }
    return {};
}

QString toolActionName(ToolAction a)
{
    switch (a) {
    case ToolAction::Allow:
        return QStringLiteral("allow");
    case ToolAction::Deny:
        return QStringLiteral("deny");
    case ToolAction::Approve:
        return QStringLiteral("approve");
    }
    return {};
}

QString limitScopeName(LimitScope s)
{
    switch (s) {
    case LimitScope::Grant:
        return QStringLiteral("grant");
    case LimitScope::Session:
        return QStringLiteral("session");
    case LimitScope::Global:
        return QStringLiteral("global");
    }
    return {};
}

QString timeoutOutcomeName(TimeoutOutcome t)
{
    return t == TimeoutOutcome::Allow ? QStringLiteral("allow") : QStringLiteral("deny");
}

} // namespace gatehouse
