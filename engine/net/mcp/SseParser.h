// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

namespace gatehouse {

// Incremental Server-Sent Events parser (the WHATWG event-stream format): feed bytes as they arrive,
// take whole events out. Handles LF, CRLF and CR line ends, multi-line data, comments and a BOM.
class SseParser
{
public:
    struct Event
    {
        QByteArray type = "message";
        QByteArray data;
        QByteArray id;
    };

    // Appends bytes and returns the events they completed.
    QList<Event> feed(const QByteArray& bytes);
    // Bytes held for an unfinished event: lets a caller bound memory against a peer that never ends one.
    qsizetype pendingBytes() const { return m_buffer.size() + m_data.size(); }
    const QByteArray& lastEventId() const { return m_lastId; }

private:
    void line(const QByteArray& text, QList<Event>& out);

    QByteArray m_buffer;
    QByteArray m_type;
    QByteArray m_data;
    QByteArray m_lastId;
    bool m_hasData = false;
    bool m_started = false;
};

} // namespace gatehouse
