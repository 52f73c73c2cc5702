// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ArgumentPath.h"

#include <QJsonValue>
#include <QRegularExpression>
#include <optional>

namespace gatehouse {

// The eleven PolicyLayer operators.
enum class ConditionOp
{
    Eq,
    Neq,
    In,
    NotIn,
    Lt,
    Lte,
    Gt,
    Gte,
    Regex,
    Contains,
    Exists
};

QString conditionOpName(ConditionOp op);
std::optional<ConditionOp> conditionOpFromName(const QString& name);

// One test on a tool call's arguments: { "path": "args.amount", "op": "lte", "value": 100 }.
//
// Type rules: numbers compare as numbers (1 == 1.0), and a string that is a JSON number compares as
// that number when the policy's value is a number ("250" > 100), so an agent cannot slip past a
// numeric rule by quoting. Strings order by code point. An absent argument fails every test except
// `neq`, `not_in` (nothing is not equal to anything) and `exists: false`.
struct Condition
{
    ArgumentPath path;
    ConditionOp op = ConditionOp::Eq;
    QJsonValue value = QJsonValue(QJsonValue::Undefined); // Undefined: absent in the file (exists only)
    QRegularExpression regex;                             // compiled once, for Regex

    bool holds(const QJsonObject& arguments) const;
    bool test(const QJsonValue& actual) const;
    // "args.amount lte 100", for messages.
    QString describe() const;
};

// Equality as a policy author means it: numbers by value, containers deeply.
bool jsonEquals(const QJsonValue& a, const QJsonValue& b);

} // namespace gatehouse
