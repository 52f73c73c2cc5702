// SPDX-License-Identifier: GPL-3.0-or-later
#include "Condition.h"

#include "json/JsonWriter.h"
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <array>
#include <cmath>

namespace gatehouse {

namespace {

constexpr std::array<std::pair<ConditionOp, const char*>, 11> OpNames{{
    {ConditionOp::Eq, "eq"},
    {ConditionOp::Neq, "neq"},
    {ConditionOp::In, "in"},
    {ConditionOp::NotIn, "not_in"},
    {ConditionOp::Lt, "lt"},
    {ConditionOp::Lte, "lte"},
    {ConditionOp::Gt, "gt"},
    {ConditionOp::Gte, "gte"},
    {ConditionOp::Regex, "regex"},
    {ConditionOp::Contains, "contains"},
    {ConditionOp::Exists, "exists"},
}};

// A string that spells a JSON number, read as that number.
std::optional<double> numericString(const QString& s)
{
    if (s.isEmpty() || s.size() > 64)
        return std::nullopt;
    const QChar first = s.front();
    if (first != u'-' && !first.isDigit())
        return std::nullopt;
    bool ok = false;
    const double d = QLocale::c().toDouble(s, &ok);
    if (!ok || !std::isfinite(d))
        return std::nullopt;
    return d;
}

// Equality of the argument with the policy's value, numeric strings coerced when the policy says number.
bool equalsPolicyValue(const QJsonValue& actual, const QJsonValue& expected)
{
    if (expected.isDouble() && actual.isString()) {
        const auto n = numericString(actual.toString());
        return n && *n == expected.toDouble();
    }
    return jsonEquals(actual, expected);
}

// -1, 0, 1, or nullopt when the two cannot be ordered.
std::optional<int> order(const QJsonValue& actual, const QJsonValue& expected)
{
    if (expected.isDouble()) {
        std::optional<double> a;
        if (actual.isDouble())
            a = actual.toDouble();
        else if (actual.isString())
            a = numericString(actual.toString());
        if (!a)
            return std::nullopt;
        const double b = expected.toDouble();
        return *a < b ? -1 : (*a > b ? 1 : 0);
    }
    if (expected.isString() && actual.isString()) {
        const int c = actual.toString().compare(expected.toString());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return std::nullopt;
}

QString scalarText(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Double:
    case QJsonValue::Bool:
    case QJsonValue::Null:
        return QString::fromUtf8(JsonWriter::canonical(v));
    default:
        return {};
    }
}

} // namespace

QString conditionOpName(ConditionOp op)
{
    for (const auto& [o, name] : OpNames)
        if (o == op)
            return QString::fromLatin1(name);
    return {};
}

std::optional<ConditionOp> conditionOpFromName(const QString& name)
{
    for (const auto& [o, n] : OpNames)
        if (name == QLatin1String(n))
            return o;
    return std::nullopt;
}

bool jsonEquals(const QJsonValue& a, const QJsonValue& b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case QJsonValue::Double:
        return a.toDouble() == b.toDouble();
    case QJsonValue::String:
        return a.toString() == b.toString();
    case QJsonValue::Bool:
        return a.toBool() == b.toBool();
    case QJsonValue::Array: {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i)
            if (!jsonEquals(x.at(i), y.at(i)))
                return false;
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject x = a.toObject(), y = b.toObject();
        if (x.size() != y.size())
            return false;
        for (auto it = x.begin(); it != x.end(); ++it) {
            const auto other = y.constFind(it.key());
            if (other == y.constEnd() || !jsonEquals(it.value(), other.value()))
                return false;
        }
        return true;
    }
    default:
        return true; // Null == Null, Undefined == Undefined
    }
}

bool Condition::holds(const QJsonObject& arguments) const
{
    return test(path.resolve(arguments));
}

bool Condition::test(const QJsonValue& actual) const
{
    const bool absent = actual.isUndefined();
    switch (op) {
    case ConditionOp::Exists:
        return absent != (value.isUndefined() || value.toBool());
    case ConditionOp::Eq:
        return !absent && equalsPolicyValue(actual, value);
    case ConditionOp::Neq:
        return absent || !equalsPolicyValue(actual, value);
    case ConditionOp::In:
    case ConditionOp::NotIn: {
        bool found = false;
        if (!absent) {
            for (const QJsonValue& candidate : value.toArray()) {
                if (equalsPolicyValue(actual, candidate)) {
                    found = true;
                    break;
                }
            }
        }
        return op == ConditionOp::In ? found : !found;
    }
    case ConditionOp::Lt:
    case ConditionOp::Lte:
    case ConditionOp::Gt:
    case ConditionOp::Gte: {
        if (absent)
            return false;
        const auto c = order(actual, value);
        if (!c)
            return false;
        switch (op) {
        case ConditionOp::Lt:
            return *c < 0;
        case ConditionOp::Lte:
            return *c <= 0;
        case ConditionOp::Gt:
            return *c > 0;
        default:
            return *c >= 0;
        }
    }
    case ConditionOp::Regex: {
        if (absent || actual.isArray() || actual.isObject())
            return false;
        return regex.match(scalarText(actual)).hasMatch();
    }
    case ConditionOp::Contains: {
        if (actual.isString())
            return value.isString() && actual.toString().contains(value.toString());
        if (actual.isArray()) {
            for (const QJsonValue& element : actual.toArray())
                if (equalsPolicyValue(element, value))
                    return true;
            return false;
        }
        if (actual.isObject())
            return value.isString() && actual.toObject().contains(value.toString());
        return false;
    }
    }
    return false;
}

QString Condition::describe() const
{
    QString text = path.text() + u' ' + conditionOpName(op);
    if (!value.isUndefined())
        text += u' ' + QString::fromUtf8(JsonWriter::canonical(value));
    return text;
}

} // namespace gatehouse
