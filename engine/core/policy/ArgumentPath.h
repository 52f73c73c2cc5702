// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <optional>

namespace gatehouse {

// A path into a tool call's arguments: `args`, `args.a.b[2]`, `args["key.with.dots"]`.
// Parsed once when the policy loads; resolving walks the arguments without allocating.
class ArgumentPath
{
public:
    ArgumentPath() = default;
    // The parsed path, or nullopt with a message in *error.
    static std::optional<ArgumentPath> parse(const QString& text, QString* error = nullptr);

    const QString& text() const { return m_text; }
    // The value the path names, or Undefined when any step is missing or of the wrong type.
    QJsonValue resolve(const QJsonObject& arguments) const;
    bool operator==(const ArgumentPath& other) const { return m_text == other.m_text; }

private:
    struct Step
    {
        QString key;          // member name, when index < 0
        qsizetype index = -1; // array index
    };
    QString m_text;
    QList<Step> m_steps;
};

} // namespace gatehouse
