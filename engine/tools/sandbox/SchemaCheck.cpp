// SPDX-License-Identifier: GPL-3.0-or-later
#include "SchemaCheck.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>
#include <cmath>

namespace gatehouse {

namespace {

QString check(const QString& name, const QJsonValue& v, const QJsonObject& s)
{
    const QString type = s.value(QLatin1String("type")).toString();
    auto fail = [&name](const QString& why) { return QStringLiteral("argument '%1' %2").arg(name, why); };
    if (type == u"string" && !v.isString())
        return fail(QStringLiteral("must be a string"));
    if (type == u"integer" && (!v.isDouble() || v.toDouble() != std::trunc(v.toDouble())))
        return fail(QStringLiteral("must be an integer"));
    if (type == u"number" && !v.isDouble())
        return fail(QStringLiteral("must be a number"));
    if (type == u"boolean" && !v.isBool())
        return fail(QStringLiteral("must be true or false"));
    if (type == u"array" && !v.isArray())
        return fail(QStringLiteral("must be an array"));
    if (type == u"object" && !v.isObject())
        return fail(QStringLiteral("must be an object"));
    if (s.contains(QLatin1String("enum")) && !s.value(QLatin1String("enum")).toArray().contains(v)) {
        QStringList options;
        for (const QJsonValue& o : s.value(QLatin1String("enum")).toArray())
            options << o.toVariant().toString();
        return fail(QStringLiteral("must be one of %1").arg(options.join(QStringLiteral(", "))));
    }
    if (v.isString()) {
        const QString text = v.toString();
        if (s.contains(QLatin1String("minLength")) &&
            text.size() < s.value(QLatin1String("minLength")).toInt())
            return fail(QStringLiteral("must be at least %1 characters")
                            .arg(s.value(QLatin1String("minLength")).toInt()));
        if (s.contains(QLatin1String("maxLength")) &&
            text.size() > s.value(QLatin1String("maxLength")).toInt())
            return fail(QStringLiteral("must be at most %1 characters")
                            .arg(s.value(QLatin1String("maxLength")).toInt()));
        if (s.contains(QLatin1String("pattern")) &&
            !QRegularExpression(s.value(QLatin1String("pattern")).toString()).match(text).hasMatch())
            return fail(QStringLiteral("must match %1").arg(s.value(QLatin1String("pattern")).toString()));
        const QString format = s.value(QLatin1String("format")).toString();
        static const QRegularExpression uuid(
            QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
        if (format == u"uuid" && !uuid.match(text).hasMatch())
            return fail(QStringLiteral("must be a UUID"));
        if (format == u"uri" &&
            (QUrl(text, QUrl::StrictMode).scheme().isEmpty() || !QUrl(text, QUrl::StrictMode).isValid()))
            return fail(QStringLiteral("must be an absolute URI"));
    }
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (s.contains(QLatin1String("minimum")) && d < s.value(QLatin1String("minimum")).toDouble())
            return fail(
                QStringLiteral("must be at least %1").arg(s.value(QLatin1String("minimum")).toDouble()));
        if (s.contains(QLatin1String("maximum")) && d > s.value(QLatin1String("maximum")).toDouble())
            return fail(
                QStringLiteral("must be at most %1").arg(s.value(QLatin1String("maximum")).toDouble()));
        if (s.contains(QLatin1String("exclusiveMinimum")) &&
            d <= s.value(QLatin1String("exclusiveMinimum")).toDouble())
            return fail(QStringLiteral("must be greater than %1")
                            .arg(s.value(QLatin1String("exclusiveMinimum")).toDouble()));
    }
    if (v.isArray() && s.contains(QLatin1String("items"))) {
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString why = check(QStringLiteral("%1[%2]").arg(name).arg(i), a.at(i),
                                      s.value(QLatin1String("items")).toObject());
            if (!why.isEmpty())
                return why;
        }
    }
    return {};
}

} // namespace

QString checkAgainstSchema(const QJsonObject& arguments, const QJsonObject& schema)
{
    const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
    for (const QJsonValue& r : schema.value(QLatin1String("required")).toArray())
        if (!arguments.contains(r.toString()))
            return QStringLiteral("argument '%1' is required").arg(r.toString());
    const bool closed = schema.value(QLatin1String("additionalProperties")) == QJsonValue(false);
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        if (!properties.contains(it.key())) {
            if (closed)
                return QStringLiteral("argument '%1' is not accepted by this tool").arg(it.key());
            continue;
        }
        const QString why = check(it.key(), it.value(), properties.value(it.key()).toObject());
        if (!why.isEmpty())
            return why;
    }
    return {};
}

QString schemaType(const QJsonObject& schema)
{
    const QJsonValue t = schema.value(QStringLiteral("type"));
    if (t.isArray())
        for (const QJsonValue& v : t.toArray())
            if (v.toString() != u"null")
                return v.toString();
    return t.toString();
}

} // namespace gatehouse
