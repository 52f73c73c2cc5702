// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Diagnostic.h"

#include <QByteArray>
#include <QHash>
#include <QJsonValue>

namespace gatehouse {

// A JSON text parsed for people: besides the value it remembers where every value and member key
// starts, so that errors can name line:column, and it reports duplicate keys, which QJsonDocument
// silently merges. Used for policy and configuration files, not for wire traffic.
class JsonSource
{
public:
    static constexpr int MaxDepth = 256;

    static JsonSource parse(const QByteArray& utf8);

    // The parsed value; undefined when a syntax error stopped the parse.
    const QJsonValue& root() const { return m_root; }
    bool hasSyntaxError() const { return m_syntaxError; }
    // Syntax errors (at most one, parsing stops there) and duplicate keys, in source order.
    const Diagnostics& diagnostics() const { return m_diagnostics; }

    // Where the value at `pointer` starts, or for an object member where its key starts
    // (the place a person looks for "unknown field"). Falls back to the nearest known parent.
    Diagnostic at(const QString& pointer, const QString& message) const;
    Diagnostic atKey(const QString& pointer, const QString& message) const;

private:
    friend class JsonSourceParser;
    struct Position
    {
        int line = 0;
        int column = 0;
    };
    Diagnostic located(const QString& pointer, const QString& message,
                       const QHash<QString, Position>& table) const;

    QJsonValue m_root;
    bool m_syntaxError = false;
    Diagnostics m_diagnostics;
    QHash<QString, Position> m_valueAt;
    QHash<QString, Position> m_keyAt;
};

} // namespace gatehouse
