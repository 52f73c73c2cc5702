// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>

namespace gatehouse {

// Writes JSON with members in the order the caller emits them, so saved files have a stable, readable
// layout (QJsonDocument always sorts keys). Pretty mode indents by two spaces and writes empty
// containers as {} and []; compact mode writes no white space at all.
class JsonWriter
{
public:
    enum class Style
    {
        Pretty,
        Compact
    };
    explicit JsonWriter(Style style = Style::Pretty);

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();
    void key(const QString& name);
    // Any JSON value; nested object members in sorted key order.
    void value(const QJsonValue& v);
    void member(const QString& name, const QJsonValue& v)
    {
        key(name);
        value(v);
    }

    // The text so far; a pretty document ends with a newline.
    QByteArray finish();

    // Compact, keys sorted: one spelling per value, for hashing and comparing.
    static QByteArray canonical(const QJsonValue& v);
    static void appendString(QByteArray& out, const QString& s);
    static void appendNumber(QByteArray& out, double d);

private:
    void beforeValue();
    void newline();

    Style m_style;
    QByteArray m_out;
    struct Frame
    {
        bool empty = true;
        bool afterKey = false;
    };
    QList<Frame> m_stack;
};

} // namespace gatehouse
