// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "counters/Reservation.h"

#include <QString>

namespace gatehouse {

enum class Verdict
{
    Allowed,
    Denied,
    Hidden,
    Limited,
    NeedsApproval
};

QString verdictName(Verdict v); // "allowed", "denied", "hidden", "limited", "needs-approval"

// What the policy says about one call, and why.
struct Decision
{
    Verdict verdict = Verdict::Denied;
    // JSON Pointer of the deciding rule (/tools/x/deny_if/0), one of "(default deny)", "(hidden)",
    // "(no policy)", or empty for an allowed call no rule touched.
    QString rule;
    QString message;              // for people and, on refusals, for the agent
    qint64 retryAfterSeconds = 0; // Limited only
    Reservation reservation;      // Allowed only: quota to commit or roll back

    bool isAllowed() const { return verdict == Verdict::Allowed; }
};

namespace DecisionRule {
inline QString defaultDeny()
{
    return QStringLiteral("(default deny)");
}
inline QString hidden()
{
    return QStringLiteral("(hidden)");
}
inline QString noPolicy()
{
    return QStringLiteral("(no policy)");
}
inline QString approvalTimeout()
{
    return QStringLiteral("(approval timeout)");
}
inline QString auditUnavailable()
{
    return QStringLiteral("(audit log unavailable)");
}
inline QString countersUnavailable()
{
    return QStringLiteral("(counters unavailable)");
}
inline QString approvalsUnavailable()
{
    return QStringLiteral("(approvals unavailable)");
}
inline QString heldForReview()
{
    return QStringLiteral("(held for review)");
}
inline QString rejectedBy(const QString& who)
{
    return QStringLiteral("(rejected by %1)").arg(who);
}
} // namespace DecisionRule

} // namespace gatehouse
