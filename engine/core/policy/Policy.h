// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Condition.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace gatehouse {

// The policy file as a value (see the policy format specification). Optional members remember whether
// the file had the field at all, so that saving a loaded file writes back exactly what it said.

enum class PolicyDefault
{
    Allow,
    Deny,
    Approve
};
enum class ToolAction
{
    Allow,
    Deny,
    Approve
};
enum class LimitScope
{
    Grant,
    Session,
    Global
};
enum class TimeoutOutcome
{
    Deny,
    Allow
};

struct Rule
{
    std::optional<QList<Condition>> conditions; // absent or empty: the rule always matches
    std::optional<QString> onDeny;
    std::optional<QString> name;

    bool matches(const QJsonObject& arguments) const;
};

// A fixed window aligned to UTC: a named unit, or a number of seconds as written in the file.
struct LimitWindow
{
    enum class Unit
    {
        Second,
        Minute,
        Hour,
        Day,
        Seconds
    };
    Unit unit = Unit::Minute;
    qint64 seconds = 60;

    static LimitWindow named(Unit unit);
    static LimitWindow ofSeconds(qint64 seconds) { return {Unit::Seconds, seconds}; }
    // "minute", or "30 seconds": how messages name it.
    QString describe() const;
    bool operator==(const LimitWindow&) const = default;
};

struct Limit
{
    QString counter;
    LimitWindow window;
    qint64 max = 1;
    std::optional<LimitScope> scope; // absent means global: one budget for everyone
    std::optional<ArgumentPath> incrementFrom;
    std::optional<QString> name;

    LimitScope effectiveScope() const { return scope.value_or(LimitScope::Global); }
};

struct ToolPolicy
{
    std::optional<ToolAction> action;
    std::optional<QString> onDeny;
    std::optional<QList<Rule>> require;
    std::optional<QList<Rule>> denyIf;
    std::optional<QList<Rule>> approveIf;
    std::optional<QList<Limit>> limits;
    std::optional<Limit> rateLimit;            // PolicyLayer's "rate_limit": per session
    std::optional<int> approvalTimeoutSeconds; // PolicyLayer's "approval_timeout", for this tool

    ToolAction effectiveAction() const { return action.value_or(ToolAction::Allow); }
};

struct AllTools
{
    std::optional<QList<Limit>> limits;
};

// Where each approval requested, decided and expired is POSTed, for an approver away from the desk.
struct WebhookSettings
{
    QString url;
    std::optional<QString> secret;    // for the HMAC-SHA256 signature header
    std::optional<QString> secretEnv; // or the environment variable that holds it (kept out of the file)
};

// How long a person has, and how the wait is told to the agent (docs/approvals-grants-audit.md).
struct ApprovalSettings
{
    // An approval outlives the request that asked, so a person may take a while.
    static constexpr int DefaultTimeoutSeconds = 900;
    static constexpr int MaxTimeoutSeconds = 7 * 86400;
    // How long a request is held on its connection before the agent is told to call again: under the
    // MCP SDK's 60 s request timeout.
    static constexpr int DefaultHoldSeconds = 25;
    // How long an answer waits for the agent to call again.
    static constexpr int DefaultValidSeconds = 600;
    std::optional<int> timeoutSeconds;
    std::optional<TimeoutOutcome> onTimeout;
    std::optional<int> holdSeconds;
    std::optional<int> validSeconds;
    std::optional<bool> withdrawOnCancel; // "on_cancel": "withdraw" (true) or "keep" (false, the default)
    // "client_links": clients that can open a link for their person (URL elicitation) are sent the
    // approval's page (true, the default); false keeps the links off the wire.
    std::optional<bool> clientLinks;
    std::optional<WebhookSettings> webhook;
};

struct Policy
{
    QString version = QStringLiteral("1");
    std::optional<QString> description;
    PolicyDefault defaultAction = PolicyDefault::Deny;
    std::optional<QStringList> hide;
    std::optional<AllTools> allTools;
    std::optional<ApprovalSettings> approval;
    std::optional<QHash<QString, ToolPolicy>> tools;

    bool isHidden(const QString& tool) const;
    const ToolPolicy* tool(const QString& name) const;
    int approvalTimeoutSeconds() const;
    int approvalTimeoutSeconds(const QString& tool) const; // the tool's own, else the policy's
    TimeoutOutcome approvalTimeoutOutcome() const;
    int approvalHoldSeconds() const;
    int approvalValidSeconds() const;
    bool approvalWithdrawsOnCancel() const;
    bool approvalLinksToClients() const;
};

QString policyDefaultName(PolicyDefault d);
QString toolActionName(ToolAction a);
QString limitScopeName(LimitScope s);
QString timeoutOutcomeName(TimeoutOutcome t);

} // namespace gatehouse
