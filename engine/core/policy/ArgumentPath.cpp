// SPDX-License-Identifier: GPL-3.0-or-later
#include "ArgumentPath.h"

#include <QJsonArray>

namespace gatehouse {

std::optional<ArgumentPath> ArgumentPath::parse(const QString& text, QString* error)
{
    auto fail = [&](const QString& why) -> std::optional<ArgumentPath> {
        if (error)
            *error = QStringLiteral("invalid path \"%1\": %2").arg(text, why);
        return std::nullopt;
    };
    static const QString root = QStringLiteral("args");
    if (!text.startsWith(root) ||
        (text.size() > root.size() && text[root.size()] != u'.' && text[root.size()] != u'['))
        return fail(QStringLiteral("a path starts with \"args\", as in \"args.amount\""));

    ArgumentPath path;
    path.m_text = text;
    qsizetype i = root.size();
    const qsizetype n = text.size();
    while (i < n) {
        if (text[i] == u'.') {
            ++i;
            const qsizetype start = i;
            while (i < n && text[i] != u'.' && text[i] != u'[' && text[i] != u']')
                ++i;
            if (i == start)
                return fail(QStringLiteral("empty name at position %1").arg(start + 1));
            path.m_steps.append({text.mid(start, i - start), -1});
        } else if (text[i] == u'[') {
            ++i;
            if (i < n && text[i] == u'"') {
                // ["quoted name"], for names with dots or brackets; \" and \\ escape.
                ++i;
                QString key;
                while (i < n && text[i] != u'"') {
                    if (text[i] == u'\\' && i + 1 < n)
                        ++i;
                    key += text[i++];
                }
                if (i + 1 >= n || text[i + 1] != u']')
                    return fail(QStringLiteral("unterminated [\"name\"]"));
                i += 2;
                path.m_steps.append({key, -1});
                continue;
            }
            const qsizetype start = i;
            while (i < n && text[i].isDigit())
                ++i;
            if (i == start || i >= n || text[i] != u']')
                return fail(
                    QStringLiteral("expected a non-negative index and ']' at position %1").arg(start + 1));
            bool ok = false;
            const qsizetype index = text.mid(start, i - start).toLongLong(&ok);
            if (!ok)
                return fail(QStringLiteral("index too large"));
            ++i;
            path.m_steps.append({QString(), index});
        } else {
            return fail(QStringLiteral("unexpected '%1' at position %2").arg(text[i]).arg(i + 1));
        }
    }
    return path;
}

QJsonValue ArgumentPath::resolve(const QJsonObject& arguments) const
{
    if (m_steps.isEmpty())
        return arguments;
    // Walk object/array handles directly; a QJsonValue per step would copy the containers' d-pointers.
    QJsonValue current;
    const QJsonObject* object = &arguments;
    QJsonObject objectHolder;
    QJsonArray arrayHolder;
    for (qsizetype s = 0; s < m_steps.size(); ++s) {
        const Step& step = m_steps[s];
        if (step.index < 0) {
            if (!object)
                return QJsonValue(QJsonValue::Undefined);
            const auto it = object->constFind(step.key);
            if (it == object->constEnd())
                return QJsonValue(QJsonValue::Undefined);
            current = it.value();
        } else {
            if (!current.isArray())
                return QJsonValue(QJsonValue::Undefined);
            arrayHolder = current.toArray();
            if (step.index >= arrayHolder.size())
                return QJsonValue(QJsonValue::Undefined);
            current = arrayHolder.at(step.index);
        }
        if (current.isObject()) {
            objectHolder = current.toObject();
            object = &objectHolder;
        } else {
            object = nullptr;
        }
    }
    return current;
}

} // namespace gatehouse
