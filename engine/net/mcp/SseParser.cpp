// SPDX-License-Identifier: GPL-3.0-or-later
#include "SseParser.h"

namespace gatehouse {

QList<SseParser::Event> SseParser::feed(const QByteArray& bytes)
{
    QList<Event> out;
    m_buffer += bytes;
    if (!m_started) {
        // A byte order mark is skipped only at the very start of the stream, however the bytes arrive:
        // while what has come so far could still be the start of one, wait.
        static const QByteArray Bom("\xEF\xBB\xBF");
        if (m_buffer.size() < Bom.size() && Bom.startsWith(m_buffer))
            return out;
        if (m_buffer.startsWith(Bom))
            m_buffer.remove(0, Bom.size());
        m_started = true;
    }
    qsizetype start = 0;
    for (qsizetype i = 0; i < m_buffer.size(); ++i) {
        const char c = m_buffer[i];
        if (c != '\n' && c != '\r')
            continue;
        // A CR at the very end may be the first half of CRLF: wait for the next byte.
        if (c == '\r' && i + 1 == m_buffer.size())
            break;
        line(m_buffer.mid(start, i - start), out);
        if (c == '\r' && m_buffer[i + 1] == '\n')
            ++i;
        start = i + 1;
    }
    m_buffer.remove(0, start);
    return out;
}

void SseParser::line(const QByteArray& text, QList<Event>& out)
{
    if (text.isEmpty()) {
        // Blank line: dispatch.
        if (m_hasData) {
            Event e;
            if (!m_type.isEmpty())
                e.type = m_type;
            e.data = m_data;
            e.id = m_lastId;
            out.append(e);
        }
        m_type.clear();
        m_data.clear();
        m_hasData = false;
        return;
    }
    if (text.startsWith(':'))
        return; // comment, e.g. a keep-alive
    const qsizetype colon = text.indexOf(':');
    const QByteArray field = colon < 0 ? text : text.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : text.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "data") {
        if (m_hasData)
            m_data += '\n';
        m_data += value;
        m_hasData = true;
    } else if (field == "event") {
        m_type = value;
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastId = value;
    }
    // "retry" and unknown fields are ignored.
}

} // namespace gatehouse
