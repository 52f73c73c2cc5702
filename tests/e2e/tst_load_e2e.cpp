// SPDX-License-Identifier: GPL-3.0-or-later
// Exactness under load: 50 concurrent clients × 2,000 calls against a limit. Exactly the budget is
// allowed, everything else limited, every call answered once with its own id, and every call audited.
#include "E2eSupport.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <atomic>
#include <thread>

using namespace e2e;

namespace {
const int Clients = qEnvironmentVariableIntValue("LOAD_CLIENTS") > 0
                        ? qEnvironmentVariableIntValue("LOAD_CLIENTS")
                        : 50;
const int CallsEach = qEnvironmentVariableIntValue("LOAD_CALLS") > 0
                          ? qEnvironmentVariableIntValue("LOAD_CALLS")
                          : 2000;

struct Tally
{
    std::atomic<int> allowed{0};
    std::atomic<int> limited{0};
    std::atomic<int> other{0};
    std::atomic<int> wrongId{0};
};

// Each client on its own thread, with its own connection and session: blocking sockets need no event loop.
void hammer(quint16 port, QByteArray token, QString tool, Tally* tally, std::atomic<int>* done)
{
    struct Done
    {
        std::atomic<int>* n;
        ~Done() { ++*n; }
    } markDone{done};
    McpClient client(port, token);
    if (!client.initialize()) {
        tally->other += CallsEach;
        return;
    }
    for (int i = 1; i <= CallsEach; ++i) {
        const QJsonObject r = client.call(tool, {});
        if (r.value(QStringLiteral("id")).toInteger() != i)
            ++tally->wrongId;
        const QJsonObject result = r[QStringLiteral("result")].toObject();
        if (result.isEmpty())
            ++tally->other;
        else if (!result[QStringLiteral("isError")].toBool())
            ++tally->allowed;
        else if (result[QStringLiteral("content")][0][QStringLiteral("text")].toString().contains(
                     QStringLiteral("Rate limit")))
            ++tally->limited;
        else
            ++tally->other;
    }
}

qint64 count(const QString& db, const QString& where)
{
    qint64 n = -1;
    {
        QSqlDatabase sql = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("count"));
        sql.setDatabaseName(db);
        if (sql.open()) {
            QSqlQuery q(sql);
            if (q.exec(QStringLiteral("SELECT COUNT(*) FROM calls WHERE ") + where) && q.next())
                n = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("count"));
    return n;
}
} // namespace

class TestLoadE2E : public QObject
{
    Q_OBJECT
private slots:
    // Its policy counts calls per day: no run may straddle midnight UTC.
    void initTestCase() { waitForWindowRoom(86400, 600); }
    void globalLimitIsExactUnderConcurrency()
    {
        const QString db = scratch(QStringLiteral("load.sqlite"));
        ProxyProcess proxy;
        QVERIFY2(proxy.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")},
                             {QStringLiteral("--audit"), db}, E2eDir + QStringLiteral("/policy-load.json")),
                 qPrintable(proxy.log()));
        Tally tally;
        std::atomic<int> done{0};
        QElapsedTimer t;
        t.start();
        std::vector<std::thread> threads;
        for (int c = 0; c < Clients; ++c)
            threads.emplace_back(hammer, proxy.port(), ProxyProcess::token().toUtf8(),
                                 QStringLiteral("get_usage"), &tally, &done);
        // The proxy logs every decision to stderr: keep reading it (the event loop) while the clients run,
        // or its pipe fills up and it waits for us.
        QTRY_VERIFY_WITH_TIMEOUT(done.load() == Clients, 240'000);
        for (std::thread& th : threads)
            th.join();
        const double seconds = t.nsecsElapsed() / 1e9;
        qInfo(
            "%d clients × %d calls in %.1f s (%.0f calls/s): %d allowed, %d limited, %d other, %d wrong ids",
            Clients, CallsEach, seconds, Clients * CallsEach / seconds, tally.allowed.load(),
            tally.limited.load(), tally.other.load(), tally.wrongId.load());
        QCOMPARE(tally.allowed.load(), 1000);
        QCOMPARE(tally.limited.load(), Clients * CallsEach - 1000);
        QCOMPARE(tally.other.load(), 0);
        QCOMPARE(tally.wrongId.load(), 0);
        proxy.process().terminate();
        QVERIFY(proxy.process().waitForFinished(30'000));
        // Every call on record exactly once.
        QCOMPARE(count(db, QStringLiteral("tool = 'get_usage'")), qint64(Clients * CallsEach));
        QCOMPARE(count(db, QStringLiteral("tool = 'get_usage' AND verdict = 'allowed'")), qint64(1000));
        QCOMPARE(count(db, QStringLiteral("1 = 1 GROUP BY request_id, session HAVING COUNT(*) > 1")),
                 qint64(-1));
    }

    void grantLimitIsExactPerGrant()
    {
        const QString config = scratch(QStringLiteral("load-config.json"));
        QList<QByteArray> tokens;
        for (int g = 0; g < 5; ++g) {
            const CommandRun r = runGatehouse(
                {QStringLiteral("grants"), QStringLiteral("add"), QStringLiteral("agent-%1").arg(g),
                 QStringLiteral("--server"), QStringLiteral("default"), QStringLiteral("--config"), config});
            tokens << r.out.split(u'\n').value(1).trimmed().toLatin1();
        }
        ProxyProcess proxy;
        QVERIFY2(proxy.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")},
                             {QStringLiteral("--config"), config},
                             E2eDir + QStringLiteral("/policy-load.json")),
                 qPrintable(proxy.log()));
        std::vector<Tally> tallies(5);
        std::atomic<int> done{0};
        std::vector<std::thread> threads;
        for (int c = 0; c < Clients; ++c)
            threads.emplace_back(hammer, proxy.port(), tokens.at(c % 5),
                                 QStringLiteral("get_integration_setup"), &tallies[std::size_t(c % 5)],
                                 &done);
        QTRY_VERIFY_WITH_TIMEOUT(done.load() == Clients, 240'000);
        for (std::thread& th : threads)
            th.join();
        for (int g = 0; g < 5; ++g) {
            const Tally& t = tallies[std::size_t(g)];
            qInfo("grant agent-%d: %d allowed, %d limited", g, t.allowed.load(), t.limited.load());
            QCOMPARE(t.allowed.load(), 300);
            QCOMPARE(t.limited.load(), 10 * CallsEach - 300);
            QCOMPARE(t.other.load() + t.wrongId.load(), 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestLoadE2E)
#include "tst_load_e2e.moc"
