// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonWriter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <cmath>

namespace gatehouse {

JsonWriter::JsonWriter(Style style)
    : m_style(style)
{}

void JsonWriter::newline()
{
    if (m_style == Style::Compact)
        return;
    m_out += '\n';
    m_out += QByteArray(m_stack.size() * 2, ' ');
}

void JsonWriter::beforeValue()
{
    if (m_stack.isEmpty())
        return;
    Frame& top = m_stack.last();
    if (top.afterKey) {
        top.afterKey = false;
        return;
    }
    // An array element.
    if (!top.empty)
        m_out += ',';
    top.empty = false;
    newline();
}

void JsonWriter::key(const QString& name)
{
    Frame& top = m_stack.last();
    if (!top.empty)
        m_out += ',';
    top.empty = false;
    newline();
    appendString(m_out, name);
    m_out += m_style == Style::Pretty ? QByteArrayLiteral(": ") : QByteArrayLiteral(":");
    m_stack.last().afterKey = true;
}

void JsonWriter::beginObject()
{
    beforeValue();
    m_out += '{';
    m_stack.append(Frame{});
}

void JsonWriter::beginArray()
{
    beforeValue();
    m_out += '[';
    m_stack.append(Frame{});
}

void JsonWriter::endObject()
{
    const bool empty = m_stack.takeLast().empty;
    if (!empty)
        newline();
    m_out += '}';
}

void JsonWriter::endArray()
{
    const bool empty = m_stack.takeLast().empty;
    if (!empty)
        newline();
    m_out += ']';
}

void JsonWriter::value(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Object: {
        beginObject();
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            member(it.key(), it.value());
        endObject();
        return;
    }
    case QJsonValue::Array: {
        beginArray();
        for (const QJsonValue& e : v.toArray())
            value(e);
        endArray();
        return;
    }
    default:
        break;
    }
    beforeValue();
    switch (v.type()) {
    case QJsonValue::Bool:
        m_out += v.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double:
        appendNumber(m_out, v.toDouble());
        break;
    case QJsonValue::String:
        appendString(m_out, v.toString());
        break;
    default:
        m_out += "null";
        break;
    }
}

QByteArray JsonWriter::finish()
{
    QByteArray out = std::move(m_out);
    m_out.clear();
    m_stack.clear();
    if (m_style == Style::Pretty)
        out += '\n';
    return out;
}

QByteArray JsonWriter::canonical(const QJsonValue& v)
{
    JsonWriter w(Style::Compact);
    w.value(v);
    return w.finish();
}

void JsonWriter::appendNumber(QByteArray& out, double d)
{
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    // Integers print without a fraction while they are exact in a double.
    if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
        out += QByteArray::number(static_cast<qint64>(d));
        return;
    }
    out += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
}

void JsonWriter::appendString(QByteArray& out, const QString& s)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const QByteArray utf8 = s.toUtf8();
    for (const char ch : utf8) {
        const auto c = static_cast<uchar>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

} // namespace gatehouse
