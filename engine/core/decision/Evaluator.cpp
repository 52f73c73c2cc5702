// SPDX-License-Identifier: GPL-3.0-or-later
#include "Evaluator.h"

#include "json/JsonPointer.h"
#include <QVarLengthArray>
#include <cmath>

namespace gatehouse {

namespace {

QString toolPointer(const QString& tool, const char* field)
{
    return JsonPointer::append(JsonPointer::append(QStringLiteral("/tools"), tool),
                               QString::fromLatin1(field));
}

QString rulePointer(const QString& tool, const char* field, qsizetype index)
{
    return JsonPointer::append(toolPointer(tool, field), index);
}

QString conditionsText(const Rule& rule)
{
    if (!rule.conditions || rule.conditions->isEmpty())
        return QStringLiteral("always");
    QStringList parts;
    for (const Condition& c : *rule.conditions)
        parts << c.describe();
    return parts.join(QStringLiteral(" and "));
}

Decision refusal(Verdict verdict, QString rule, QString message)
{
    Decision d;
    d.verdict = verdict;
    d.rule = std::move(rule);
    d.message = std::move(message);
    return d;
}

} // namespace

Evaluator::Evaluator(std::shared_ptr<CounterStore> store)
    : m_store(std::move(store))
{}

QString Evaluator::scopeKey(LimitScope scope, const ToolCall& call)
{
    switch (scope) {
    case LimitScope::Grant:
        return QStringLiteral("grant:") + call.grant;
    case LimitScope::Session:
        return QStringLiteral("session:") + call.session;
    case LimitScope::Global:
        break;
    }
    return QStringLiteral("global");
}

Decision Evaluator::decide(const Policy* policy, const ToolCall& call, qint64 nowMs) const
{
    if (!policy)
        return refusal(Verdict::Denied, DecisionRule::noPolicy(),
                       QStringLiteral("no valid policy is loaded, so every call is refused"));
    const Policy& p = *policy;
    const QString& name = call.tool;

    if (p.isHidden(name))
        return refusal(Verdict::Hidden, DecisionRule::hidden(), QStringLiteral("Unknown tool: %1").arg(name));

    const ToolPolicy* tool = p.tool(name);
    if (!tool && p.defaultAction == PolicyDefault::Deny)
        return refusal(Verdict::Denied, DecisionRule::defaultDeny(),
                       QStringLiteral("%1 is not among the tools this policy allows").arg(name));

    if (tool) {
        if (tool->effectiveAction() == ToolAction::Deny)
            return refusal(Verdict::Denied, toolPointer(name, "action"),
                           tool->onDeny.value_or(QStringLiteral("%1 is not allowed").arg(name)));
        if (tool->require) {
            for (qsizetype i = 0; i < tool->require->size(); ++i) {
                const Rule& r = tool->require->at(i);
                if (!r.matches(call.arguments))
                    return refusal(
                        Verdict::Denied, rulePointer(name, "require", i),
                        r.onDeny.value_or(QStringLiteral("%1 requires %2").arg(name, conditionsText(r))));
            }
        }
        if (tool->denyIf) {
            for (qsizetype i = 0; i < tool->denyIf->size(); ++i) {
                const Rule& r = tool->denyIf->at(i);
                if (r.matches(call.arguments))
                    return refusal(Verdict::Denied, rulePointer(name, "deny_if", i),
                                   r.onDeny.value_or(
                                       QStringLiteral("%1 is refused when %2").arg(name, conditionsText(r))));
            }
        }
    }

    // Approval step: find out whether a person must decide. Limits are checked first so that nobody
    // is asked about a call that would be refused anyway.
    QString approvalRule;
    QString approvalMessage;
    if (!tool) {
        if (p.defaultAction == PolicyDefault::Approve) {
            approvalRule = QStringLiteral("/default");
            approvalMessage = QStringLiteral("%1 needs approval (policy default)").arg(name);
        }
    } else if (tool->effectiveAction() == ToolAction::Approve) {
        approvalRule = toolPointer(name, "action");
        approvalMessage = QStringLiteral("%1 needs approval").arg(name);
    } else if (tool->approveIf) {
        for (qsizetype i = 0; i < tool->approveIf->size(); ++i) {
            const Rule& r = tool->approveIf->at(i);
            if (r.matches(call.arguments)) {
                approvalRule = rulePointer(name, "approve_if", i);
                approvalMessage =
                    r.name ? QStringLiteral("%1 needs approval (rule %2)").arg(name, *r.name)
                           : QStringLiteral("%1 needs approval when %2").arg(name, conditionsText(r));
                break;
            }
        }
    }

    if (approvalRule.isEmpty())
        return limitStep(p, call, nowMs, /*take=*/true);

    Decision checked = limitStep(p, call, nowMs, /*take=*/false);
    if (checked.verdict != Verdict::Allowed)
        return checked;
    return refusal(Verdict::NeedsApproval, approvalRule, approvalMessage);
}

Decision Evaluator::reserveApproved(const Policy& policy, const ToolCall& call, qint64 nowMs) const
{
    return limitStep(policy, call, nowMs, /*take=*/true);
}

Decision Evaluator::limitStep(const Policy& p, const ToolCall& call, qint64 nowMs, bool take) const
{
    struct Origin
    {
        const Limit* limit;
        bool allTools;
        qsizetype index; // -1: the tool's "rate_limit"
    };
    QVarLengthArray<CounterRequest, 8> requests;
    QVarLengthArray<Origin, 8> origins;

    auto pointerOf = [&](const Origin& o) {
        if (o.allTools)
            return JsonPointer::append(QStringLiteral("/all_tools/limits"), o.index);
        return o.index < 0 ? toolPointer(call.tool, "rate_limit") : rulePointer(call.tool, "limits", o.index);
    };

    auto add = [&](const QList<Limit>& limits, bool allTools) -> std::optional<Decision> {
        for (qsizetype i = 0; i < limits.size(); ++i) {
            const Limit& l = limits[i];
            const qsizetype index = i;
            double amount = 1;
            if (l.incrementFrom) {
                const QJsonValue v = l.incrementFrom->resolve(call.arguments);
                amount = v.isDouble() ? v.toDouble() : -1;
                // Fail closed: a budget that counts an argument cannot be passed by omitting it.
                if (amount < 0 || !std::isfinite(amount))
                    return refusal(
                        Verdict::Denied, pointerOf({&l, allTools, index}),
                        QStringLiteral("%1 counts %2 against counter %3, and that argument is missing "
                                       "or not a non-negative number")
                            .arg(call.tool, l.incrementFrom->text(), l.counter));
            }
            requests.append({CounterKey{l.counter, scopeKey(l.effectiveScope(), call), l.window.seconds},
                             double(l.max), amount});
            origins.append({&l, allTools, index});
        }
        return std::nullopt;
    };

    if (const ToolPolicy* tool = p.tool(call.tool); tool && tool->limits) {
        if (auto refused = add(*tool->limits, false))
            return std::move(*refused);
    }
    if (const ToolPolicy* tool = p.tool(call.tool); tool && tool->rateLimit) {
        const Limit& l = *tool->rateLimit; // one call counts one
        requests.append(
            {CounterKey{l.counter, scopeKey(l.effectiveScope(), call), l.window.seconds}, double(l.max), 1});
        origins.append({&l, false, -1});
    }
    if (p.allTools && p.allTools->limits) {
        if (auto refused = add(*p.allTools->limits, true))
            return std::move(*refused);
    }

    Decision d;
    d.verdict = Verdict::Allowed;
    if (requests.isEmpty())
        return d;

    const std::span<const CounterRequest> span(requests.constData(), size_t(requests.size()));
    CounterHold hold;
    const CounterOutcome outcome = take ? m_store->reserve(span, nowMs, &hold) : m_store->check(span, nowMs);
    if (!outcome.unavailable.isEmpty()) {
        // A shared store that cannot answer: the call is refused (fail closed) or, where the store is set
        // to fail open, runs without being counted. Either way the record says so.
        if (!outcome.fits)
            return refusal(Verdict::Denied, DecisionRule::countersUnavailable(),
                           QStringLiteral("Rate limits for %1 cannot be checked, so the call is refused: %2")
                               .arg(call.tool, outcome.unavailable));
        d.message =
            QStringLiteral("Allowed without counting (counters fail open): %1").arg(outcome.unavailable);
        return d;
    }
    if (!outcome.fits) {
        const Origin& o = origins[outcome.refusedIndex];
        d.verdict = Verdict::Limited;
        d.rule = pointerOf(o);
        d.retryAfterSeconds = outcome.retryAfterSeconds;
        d.message = QStringLiteral("Rate limit reached for %1: %2 per %3 (counter %4). Retry in %5 s.")
                        .arg(call.tool)
                        .arg(o.limit->max)
                        .arg(o.limit->window.describe(), o.limit->counter)
                        .arg(outcome.retryAfterSeconds);
        return d;
    }
    if (take)
        d.reservation = Reservation(m_store, std::move(hold));
    return d;
}

} // namespace gatehouse
