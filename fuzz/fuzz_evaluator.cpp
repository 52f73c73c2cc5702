// SPDX-License-Identifier: GPL-3.0-or-later
// The evaluator (conditions of every operator, argument paths, counters with increment_from) on
// arbitrary tool-call arguments. The bytes are "TOOL\nARGUMENTS-JSON"; no crash, and a decision always
// names its rule.
#include "counters/InMemoryCounterStore.h"
#include "decision/Evaluator.h"
#include "policy/PolicyParser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <cstdlib>

namespace {
const char PolicyText[] = R"json({
  "version": "1", "default": "deny",
  "all_tools": {"limits": [{"counter": "all", "window": "minute", "max": 1000000}]},
  "tools": {
    "pay": {"require": [{"conditions": [{"path": "args.amount", "op": "lte", "value": 100},
                                        {"path": "args.currency", "op": "in", "value": ["EUR", "USD"]}]}],
            "limits": [{"counter": "spend", "window": "day", "max": 1000, "increment_from": "args.amount",
                        "scope": "grant"}]},
    "search": {"deny_if": [{"conditions": [{"path": "args.query", "op": "regex", "value": "(?i)password|secret"}]},
                           {"conditions": [{"path": "args.tags", "op": "contains", "value": "internal"}]},
                           {"conditions": [{"path": "args.filters[0].field", "op": "eq", "value": "ssn"}]}]},
    "run": {"approve_if": [{"conditions": [{"path": "args.mode", "op": "neq", "value": "dry"},
                                           {"path": "args.count", "op": "gt", "value": 10}]}],
            "require": [{"conditions": [{"path": "args.id", "op": "exists", "value": true},
                                        {"path": "args.debug", "op": "not_in", "value": [true]},
                                        {"path": "args.count", "op": "gte", "value": 0},
                                        {"path": "args[\"odd.key\"]", "op": "lt", "value": "zzz"}]}]}
  }
})json";
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace gatehouse;
    static const Policy policy = *PolicyParser::parse(QByteArray(PolicyText)).policy;
    static Evaluator evaluator(std::make_shared<InMemoryCounterStore>());
    const QByteArray input(reinterpret_cast<const char*>(data), qsizetype(size));
    const qsizetype newline = input.indexOf('\n');
    ToolCall call;
    call.tool = QString::fromUtf8(newline < 0 ? input : input.left(newline));
    call.arguments = QJsonDocument::fromJson(newline < 0 ? QByteArray() : input.mid(newline + 1)).object();
    call.grant = QStringLiteral("g");
    call.session = QStringLiteral("s");
    Decision d = evaluator.decide(policy, call, 1'790'000'000'000);
    if (d.rule.isEmpty() && !d.isAllowed())
        std::abort(); // a refusal always says which rule
    d.reservation.rollback();
    return 0;
}
