// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QSocketNotifier>

namespace gatehouse {

// Newline-delimited messages on a pair of file descriptors (MCP's stdio framing): lineReceived() for
// each non-empty line read, overLong() when a line passes the cap (the rest of it is skipped),
// closed() at end of input; write() sends one line, retrying short writes.
class StdioLines : public QObject
{
    Q_OBJECT
public:
    StdioLines(int inFd, int outFd, qsizetype maxLineBytes, QObject* parent = nullptr);

    void write(const QByteArray& line);

signals:
    void lineReceived(const QByteArray& line);
    void overLong();
    void closed();

private:
    void onReadable();

    int m_in;
    int m_out;
    qsizetype m_max;
    QSocketNotifier m_notifier;
    QByteArray m_buffer;
    bool m_discarding = false; // inside an over-long line
};

} // namespace gatehouse
