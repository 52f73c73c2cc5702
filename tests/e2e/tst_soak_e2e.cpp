// SPDX-License-Identifier: GPL-3.0-or-later
// Soak: sessions come and go and calls of every verdict flow for SOAK_SECONDS (120 by default; the
// one-hour run is bench/soak.sh). The proxy's memory and open file descriptors must stay flat. And one
// client on one kept-alive connection, as agents' HTTP pools do, makes SOAK_KEEPALIVE_CALLS calls
// (100,000 by default; bench/soak.sh makes 1,000,000): nothing may be kept per call.
#include "E2eSupport.h"

#include <QDir>
#include <QFile>

using namespace e2e;

namespace {
qint64 openFds(qint64 pid)
{
    return QDir(QStringLiteral("/proc/%1/fd").arg(pid))
        .entryList(QDir::NoDotAndDotDot | QDir::AllEntries)
        .size();
}
} // namespace

class TestSoakE2E : public QObject
{
    Q_OBJECT
private slots:
    void memoryAndDescriptorsStayFlat()
    {
        const int seconds = qEnvironmentVariableIntValue("SOAK_SECONDS") > 0
                                ? qEnvironmentVariableIntValue("SOAK_SECONDS")
                                : 120;
        ProxyProcess proxy;
        // The load policy: one tool with a daily budget (soon limited), one per grant, the rest denied.
        QVERIFY2(proxy.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")}, {},
                             E2eDir + QStringLiteral("/policy-load.json")),
                 qPrintable(proxy.log()));
        const qint64 pid = proxy.process().processId();
        struct Sample
        {
            qint64 at, rss, fds, calls;
        };
        QList<Sample> samples;
        qint64 calls = 0;
        QElapsedTimer t;
        t.start();
        qint64 nextSample = 0;
        const QStringList tools{QStringLiteral("get_usage"), QStringLiteral("get_integration_setup"),
                                QStringLiteral("list_agent_runs"), QStringLiteral("delete_agent_run")};
        while (t.elapsed() < seconds * 1000LL) {
            // A session lives for a few dozen calls, then ends (DELETE) and the next one starts.
            McpClient client(proxy.port());
            QVERIFY(client.initialize());
            for (int i = 0; i < 40; ++i, ++calls)
                QVERIFY(!client.call(tools.at(i % tools.size()), {}).isEmpty());
            client.send({}, "X-End: 1\r\n"); // harmless; then the session is deleted below
            rawHttp(proxy.port(),
                    "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(proxy.port()) +
                        "\r\nAuthorization: Bearer " + ProxyProcess::token().toUtf8() +
                        "\r\nMcp-Session-Id: " + client.sessionId + "\r\n\r\n");
            QCoreApplication::processEvents(); // drain the proxy's log pipe
            if (t.elapsed() >= nextSample) {
                samples.append({t.elapsed() / 1000, rssKb(pid), openFds(pid), calls});
                nextSample += std::max(1000LL, seconds * 1000LL / 12);
            }
        }
        samples.append({t.elapsed() / 1000, rssKb(pid), openFds(pid), calls});
        for (const Sample& s : samples)
            qInfo("t=%4llds calls=%7lld rss=%6lld KB fds=%lld", s.at, s.calls, s.rss, s.fds);
        QVERIFY(samples.size() >= 4);
        // After warm-up (the first quarter), memory may wobble but not grow: the last sample within 15%
        // (and 4 MB) of the warm-up level; descriptors exactly where they settled, give or take a few.
        const Sample warm = samples.at(samples.size() / 4);
        const Sample last = samples.last();
        // Under AddressSanitizer freed memory sits in quarantine and RSS says nothing about leaks
        // (LeakSanitizer does): there only the descriptors are held to account.
        if (qEnvironmentVariableIsEmpty("ASAN_OPTIONS"))
            QVERIFY2(last.rss <= warm.rss * 115 / 100 + 4096,
                     qPrintable(QStringLiteral("RSS grew from %1 KB to %2 KB").arg(warm.rss).arg(last.rss)));
        QVERIFY2(
            std::abs(last.fds - warm.fds) <= 4,
            qPrintable(QStringLiteral("open descriptors went from %1 to %2").arg(warm.fds).arg(last.fds)));
    }

    void memoryStaysFlatOnOneKeptAliveConnection()
    {
        const qint64 total = qEnvironmentVariableIntValue("SOAK_KEEPALIVE_CALLS") > 0
                                 ? qEnvironmentVariableIntValue("SOAK_KEEPALIVE_CALLS")
                                 : 100'000;
        ProxyProcess proxy;
        // Every call allowed and audited; the log keeps its newest rows so the disk does not fill.
        QVERIFY2(proxy.start(stdioUpstream(),
                             {QStringLiteral("--audit-retention-rows"), QStringLiteral("20000")},
                             E2eDir + QStringLiteral("/policy-allow-all.json")),
                 qPrintable(proxy.log()));
        const qint64 pid = proxy.process().processId();
        McpClient client(proxy.port());
        QVERIFY(client.initialize());
        const qint64 warmUp = std::min<qint64>(20'000, total / 5);
        qint64 warmRss = 0;
        QList<QPair<qint64, qint64>> samples; // calls, RSS KB
        for (qint64 i = 1; i <= total; ++i) {
            const QJsonObject r =
                client.call(QStringLiteral("echo"), {{QStringLiteral("message"), QStringLiteral("soak")}});
            if (r.value(QStringLiteral("result"))[QStringLiteral("isError")].toBool() ||
                !r.contains(QStringLiteral("result")))
                QFAIL(
                    qPrintable(QStringLiteral("call %1: %2")
                                   .arg(i)
                                   .arg(QString::fromUtf8(QJsonDocument(r).toJson(QJsonDocument::Compact)))));
            if (i == warmUp)
                warmRss = rssKb(pid);
            if (i % 200 == 0)
                QCoreApplication::processEvents(); // drain the proxy's log pipe (a line a call)
            if (i % (total / 10) == 0)
                samples.append({i, rssKb(pid)});
        }
        for (const auto& [calls, rss] : samples)
            qInfo("one connection: calls=%8lld rss=%6lld KB", calls, rss);
        QCOMPARE(client.connections(), 1); // it really was one connection throughout
        const qint64 last = samples.last().second;
        // The leak this guards against kept about 0.25 KB per call: 20 MB over 80,000 calls.
        if (qEnvironmentVariableIsEmpty("ASAN_OPTIONS"))
            QVERIFY2(last <= warmRss + 4096,
                     qPrintable(QStringLiteral("RSS grew from %1 KB after %2 calls to %3 KB after %4")
                                    .arg(warmRss)
                                    .arg(warmUp)
                                    .arg(last)
                                    .arg(total)));
    }
};

QTEST_GUILESS_MAIN(TestSoakE2E)
#include "tst_soak_e2e.moc"
