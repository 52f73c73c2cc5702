// SPDX-License-Identifier: GPL-3.0-or-later
// A stdio server ended by a person: stop() returns at once and the child is ended in the background,
// however slowly it goes; the proxy going away sees its children to their end.
#include "proxy/StdioUpstream.h"

#include <QSignalSpy>
#include <QtTest>
#include <signal.h>

using namespace gatehouse;

namespace {
bool alive(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}

// The child's pid, as it printed it on stderr (the upstream logs stderr lines as "upstream: …"), or 0.
qint64 pidFrom(const QSignalSpy& log)
{
    for (const QList<QVariant>& l : log)
        if (l.first().toString().startsWith(u"upstream: "))
            return l.first().toString().mid(10).toLongLong();
    return 0;
}

// Ignores SIGTERM and the end of its stdin: only SIGKILL ends it. It prints its pid and waits.
StdioUpstream::Command stubborn()
{
    return {
        QStringLiteral("/bin/sh"),
        {QStringLiteral("-c"), QStringLiteral("trap '' TERM; echo \"$$\" >&2; while :; do sleep 1; done")},
        QProcessEnvironment::systemEnvironment(),
        {}};
}
// Prints its pid and ends when its stdin closes, as a well-behaved MCP server does.
StdioUpstream::Command polite()
{
    return {QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("echo \"$$\" >&2; exec cat")},
            QProcessEnvironment::systemEnvironment(),
            {}};
}
} // namespace

class TestStdioUpstream : public QObject
{
    Q_OBJECT
private slots:
    void stopReturnsAtOnceAndTheChildIsEndedLater()
    {
        StdioUpstream upstream(stubborn());
        QSignalSpy log(&upstream, &UpstreamTransport::logLine);
        QSignalSpy ready(&upstream, &UpstreamTransport::ready);
        upstream.start();
        QTRY_COMPARE(ready.size(), 1);
        qint64 pid = 0;
        QTRY_VERIFY((pid = pidFrom(log)) > 0);
        QVERIFY(alive(pid));
        upstream.stop();
        QVERIFY(!upstream.isReady());
        // Not waited for: it ignores its closed stdin and SIGTERM, so it is still there now…
        QVERIFY(alive(pid));
        // …and SIGKILL ends it once both grace periods are over.
        QTRY_VERIFY_WITH_TIMEOUT(!alive(pid), 4 * StdioUpstream::GraceMs + 5000);
    }

    void startedAgainRightAfterAStop()
    {
        StdioUpstream upstream(stubborn());
        QSignalSpy ready(&upstream, &UpstreamTransport::ready);
        upstream.start();
        QTRY_COMPARE(ready.size(), 1);
        upstream.stop();
        upstream.start(); // a restart: the new child starts once the old one has gone
        QVERIFY(!upstream.isReady());
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 4 * StdioUpstream::GraceMs + 5000);
        QVERIFY(upstream.isReady());
    }

    void goingAwayRightAfterAStopStillEndsTheChild()
    {
        // The proxy shutting down: stopped, then destroyed at once, with no event loop in between.
        qint64 pid = 0;
        {
            StdioUpstream upstream(polite());
            QSignalSpy log(&upstream, &UpstreamTransport::logLine);
            upstream.start();
            QTRY_VERIFY((pid = pidFrom(log)) > 0);
            upstream.stop();
        }
        QVERIFY(!alive(pid)); // ended (stdin closed) and reaped before the destructor returned
    }

    void goingAwayEndsTheChildBeforeItReturns()
    {
        qint64 pid = 0;
        {
            StdioUpstream upstream(polite());
            QSignalSpy log(&upstream, &UpstreamTransport::logLine);
            upstream.start();
            QTRY_VERIFY((pid = pidFrom(log)) > 0);
        }
        QVERIFY(!alive(pid)); // cat ended when its stdin closed, and was reaped
    }
};

QTEST_GUILESS_MAIN(TestStdioUpstream)
#include "tst_stdioupstream.moc"
