// SPDX-License-Identifier: GPL-3.0-or-later
#include "StdioLines.h"

#include <cerrno>
#include <unistd.h>

namespace gatehouse {

StdioLines::StdioLines(int inFd, int outFd, qsizetype maxLineBytes, QObject* parent)
    : QObject(parent)
    , m_in(inFd)
    , m_out(outFd)
    , m_max(maxLineBytes)
    , m_notifier(inFd, QSocketNotifier::Read)
{
    connect(&m_notifier, &QSocketNotifier::activated, this, &StdioLines::onReadable);
}

void StdioLines::onReadable()
{
    char chunk[65536];
    const ssize_t n = ::read(m_in, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        m_notifier.setEnabled(false);
        const QByteArray last = m_buffer.trimmed();
        m_buffer.clear();
        if (!last.isEmpty() && !m_discarding)
            emit lineReceived(last);
        emit closed();
        return;
    }
    m_buffer.append(chunk, n);
    qsizetype start = 0;
    for (qsizetype nl; (nl = m_buffer.indexOf('\n', start)) >= 0; start = nl + 1) {
        if (m_discarding) {
            m_discarding = false;
            continue;
        }
        const QByteArray line = m_buffer.mid(start, nl - start).trimmed();
        if (!line.isEmpty())
            emit lineReceived(line);
    }
    m_buffer.remove(0, start);
    if (m_discarding) {
        m_buffer.clear(); // still inside the over-long line, already answered once
        return;
    }
    if (m_buffer.size() > m_max) {
        m_buffer.clear();
        m_discarding = true;
        emit overLong();
    }
}

void StdioLines::write(const QByteArray& line)
{
    const QByteArray framed = line + '\n';
    qsizetype done = 0;
    while (done < framed.size()) {
        const ssize_t n = ::write(m_out, framed.constData() + done, size_t(framed.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; // the peer closed its end
        }
        done += n;
    }
}

} // namespace gatehouse
