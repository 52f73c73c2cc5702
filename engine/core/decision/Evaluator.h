// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Decision.h"
#include "ToolCall.h"
#include "counters/CounterStore.h"
#include "policy/Policy.h"

#include <memory>

namespace gatehouse {

// Decides tool calls against a policy, in the specification's order of evaluation:
//   hidden → not listed under default "deny" → action "deny" → require → deny_if →
//   limits checked (not taken) → approval needed? → [person decides] → limits reserved → forward.
// decide() runs up to the approval step; a call a person allowed continues with reserveApproved().
// Stateless apart from the counter store, so one Evaluator serves every thread and policy version.
class Evaluator
{
public:
    explicit Evaluator(std::shared_ptr<CounterStore> store);

    // A null policy denies everything with "(no policy)": fail closed.
    Decision decide(const Policy* policy, const ToolCall& call, qint64 nowMs) const;
    Decision decide(const Policy& policy, const ToolCall& call, qint64 nowMs) const
    {
        return decide(&policy, call, nowMs);
    }
    // After a person allowed a call that needed approval: take its quota (checked again).
    Decision reserveApproved(const Policy& policy, const ToolCall& call, qint64 nowMs) const;

    CounterStore& counters() const { return *m_store; }

    static QString scopeKey(LimitScope scope, const ToolCall& call);

private:
    struct Applicable;
    Decision limitStep(const Policy& policy, const ToolCall& call, qint64 nowMs, bool take) const;

    std::shared_ptr<CounterStore> m_store;
};

} // namespace gatehouse
