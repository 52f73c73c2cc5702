// SPDX-License-Identifier: GPL-3.0-or-later
// RedisCounterStore against a real redis-server on 127.0.0.1: the same budget semantics as the
// in-memory store, shared by several stores (as by several proxies), and failing closed or open.
#include "RedisServer.h"
#include "counters/RedisCounterStore.h"
#include "counters/Reservation.h"
#include "decision/Evaluator.h"
#include "policy/PolicyParser.h"

#include <QDateTime>
#include <QtTest>
#include <atomic>
#include <thread>

using namespace gatehouse;

namespace {

CounterRequest request(const char* counter, qint64 window, double max, double amount = 1,
                       const char* scope = "global")
{
    return {CounterKey{QString::fromLatin1(counter), QString::fromLatin1(scope), window}, max, amount};
}

std::span<const CounterRequest> one(const CounterRequest& r)
{
    return {&r, 1};
}

// The start of the next hour: windows in the future, so keys never expire during a test.
qint64 nextHourMs()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return (CounterStore::windowStart(now, 3600) + 3600) * 1000;
}

RedisCounterStore::Options optionsFor(const RedisServer& redis, bool failOpen = false)
{
    QString why;
    std::optional<RedisCounterStore::Options> o = RedisCounterStore::parseUrl(redis.url(), &why);
    if (!o)
        qFatal("%s", qPrintable(why));
    o->failOpen = failOpen;
    // Each test run its own keys, in case a developer points tests at a Redis of their own.
    static int store = 0;
    o->keyPrefix = "gatehouse-test:" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '-' +
                   QByteArray::number(++store) + ':';
    return *o;
}

QByteArray redisCli(const RedisServer& redis, const QStringList& args)
{
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"),
              QStringList{QStringLiteral("-p"), QString::number(redis.port())} + args);
    cli.waitForFinished(5000);
    return cli.readAllStandardOutput().trimmed();
}

} // namespace

class TestRedisCounterStore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY2(m_redis.start(), m_redis.log().constData()); }

    void parsesAddresses_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("db");
        QTest::addColumn<QByteArray>("password");
        QTest::newRow("full") << "redis://127.0.0.1:6380/2" << true << "127.0.0.1" << 6380 << 2
                              << QByteArray();
        QTest::newRow("default port and db")
            << "redis://localhost" << true << "localhost" << 6379 << 0 << QByteArray();
        QTest::newRow("password") << "redis://:s%40cret@10.0.0.5/1" << true << "10.0.0.5" << 6379 << 1
                                  << QByteArray("s@cret");
        QTest::newRow("other scheme") << "http://127.0.0.1:6379" << false << "" << 0 << 0 << QByteArray();
        QTest::newRow("no host") << "redis:///0" << false << "" << 0 << 0 << QByteArray();
        QTest::newRow("bad db") << "redis://127.0.0.1/first" << false << "" << 0 << 0 << QByteArray();
        QTest::newRow("query") << "redis://127.0.0.1/0?x=1" << false << "" << 0 << 0 << QByteArray();
        QTest::newRow("not a url") << "127.0.0.1:6379" << false << "" << 0 << 0 << QByteArray();
    }
    void parsesAddresses()
    {
        QFETCH(QString, url);
        QFETCH(bool, valid);
        QString why;
        const auto o = RedisCounterStore::parseUrl(url, &why);
        QCOMPARE(o.has_value(), valid);
        if (!valid) {
            QVERIFY(!why.isEmpty());
            return;
        }
        QTEST(o->host, "host");
        QTEST(int(o->port), "port");
        QTEST(o->database, "db");
        QTEST(o->password, "password");
    }

    void fillsToMaxAndResetsNextWindow()
    {
        RedisCounterStore store(optionsFor(m_redis));
        const qint64 t0 = nextHourMs();
        const CounterRequest r = request("runs", 60, 3);
        for (int i = 0; i < 3; ++i) {
            CounterHold hold;
            QVERIFY(store.reserve(one(r), t0 + i * 1000, &hold).fits);
            Reservation(std::shared_ptr<CounterStore>(&store, [](CounterStore*) {}), hold).commit();
        }
        CounterHold hold;
        const CounterOutcome refused = store.reserve(one(r), t0 + 20'000, &hold);
        QVERIFY(!refused.fits);
        QVERIFY(refused.unavailable.isEmpty());
        QCOMPARE(refused.retryAfterSeconds, qint64(40));
        QCOMPARE(store.used(r.key, t0 + 20'000), 3.0);
        // A new minute, a fresh budget.
        QVERIFY(store.reserve(one(r), t0 + 60'000, &hold).fits);
        QCOMPARE(store.used(r.key, t0 + 60'000), 1.0);
    }

    void reserveIsAllOrNothingAndSameCounterAddsUp()
    {
        RedisCounterStore store(optionsFor(m_redis));
        const qint64 t0 = nextHourMs();
        const CounterRequest full = request("full", 3600, 1);
        CounterHold hold;
        QVERIFY(store.reserve(one(full), t0, &hold).fits);
        const CounterRequest both[] = {request("free", 3600, 10), full};
        const CounterOutcome o = store.reserve(both, t0, &hold);
        QVERIFY(!o.fits);
        QCOMPARE(o.refusedIndex, qsizetype(1));
        QCOMPARE(store.used(both[0].key, t0), 0.0); // the first one was not taken either

        // Two limits on one counter in one call: 3 + 3 exceed 5 together.
        const CounterRequest twice[] = {request("shared", 3600, 5, 3), request("shared", 3600, 5, 3)};
        QVERIFY(!store.check(twice, t0).fits);
        QVERIFY(!store.reserve(twice, t0, &hold).fits);
        QCOMPARE(store.used(twice[0].key, t0), 0.0);
        QVERIFY(!store.check(twice, t0).fits);
        const CounterRequest fits[] = {request("shared", 3600, 6, 3), request("shared", 3600, 6, 3)};
        QVERIFY(store.check(fits, t0).fits);
        QCOMPARE(store.used(fits[0].key, t0), 0.0); // check takes nothing
    }

    void rollbackGivesBackCommitKeeps()
    {
        auto store = std::make_shared<RedisCounterStore>(optionsFor(m_redis));
        const qint64 t0 = nextHourMs();
        const CounterRequest r = request("credits", 3600, 10, 4, "grant:alice");
        CounterHold a;
        CounterHold b;
        QVERIFY(store->reserve(one(r), t0, &a).fits);
        QVERIFY(store->reserve(one(r), t0, &b).fits);
        QCOMPARE(store->used(r.key, t0), 8.0);
        CounterHold c;
        QVERIFY(!store->reserve(one(r), t0, &c).fits); // reserved counts at once
        Reservation(store, a).rollback();
        QCOMPARE(store->used(r.key, t0), 4.0);
        Reservation(store, b).commit();
        QCOMPARE(store->used(r.key, t0), 4.0);
        {
            Reservation dropped(store, c);
        } // c was never reserved: empty, nothing returned
        QCOMPARE(store->used(r.key, t0), 4.0);
        CounterHold d;
        QVERIFY(store->reserve(one(r), t0, &d).fits);
        {
            Reservation forgotten(store, d);
        } // dropped without settling: rolled back
        QCOMPARE(store->used(r.key, t0), 4.0);
        // Other scopes are other budgets.
        QCOMPARE(store->used(request("credits", 3600, 10, 4, "grant:bob").key, t0), 0.0);
    }

    void keysExpireWithTheirWindow()
    {
        const RedisCounterStore::Options o = optionsFor(m_redis);
        RedisCounterStore store(o);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        CounterHold hold;
        QVERIFY(store.reserve(one(request("minute", 60, 5)), now, &hold).fits);
        const QByteArray keys = redisCli(m_redis, {QStringLiteral("--scan"), QStringLiteral("--pattern"),
                                                   QString::fromUtf8(o.keyPrefix) + QStringLiteral("*")});
        QCOMPARE(keys.count('\n'), 0); // one key
        const qint64 ttlMs =
            redisCli(m_redis, {QStringLiteral("PTTL"), QString::fromUtf8(keys)}).toLongLong();
        const qint64 windowEnd = (CounterStore::windowStart(now, 60) + 60) * 1000;
        // Until the window's end plus a minute's grace for clocks that differ between proxies.
        QVERIFY2(ttlMs > 0 && ttlMs <= windowEnd + 60'000 - now + 1000,
                 QByteArray::number(ttlMs).constData());
        QVERIFY(ttlMs >= windowEnd + 60'000 - now - 5000);
    }

    // Several stores (as in several proxies), several threads each: exactly the budget is taken.
    void concurrentStoresTakeExactlyTheBudget()
    {
        const RedisCounterStore::Options o = optionsFor(m_redis);
        std::vector<std::unique_ptr<RedisCounterStore>> stores;
        for (int i = 0; i < 4; ++i)
            stores.push_back(std::make_unique<RedisCounterStore>(o));
        const qint64 t0 = nextHourMs();
        const CounterRequest r = request("team", 3600, 500);
        std::atomic<int> taken{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&, t] {
                RedisCounterStore& store = *stores[std::size_t(t % 4)];
                for (int i = 0; i < 150; ++i) {
                    CounterHold hold;
                    if (store.reserve(one(r), t0, &hold).fits) {
                        ++taken;
                        store.commit(hold);
                    }
                }
            });
        for (std::thread& t : threads)
            t.join();
        QCOMPARE(taken.load(), 500);
        QCOMPARE(stores[0]->used(r.key, t0), 500.0);
    }

    void unreachableFailsClosedOrOpenAndRecovers()
    {
        RedisServer later;
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        RedisCounterStore::Options closedOptions;
        closedOptions.port = port;
        closedOptions.timeoutMs = 300;
        RedisCounterStore closed(closedOptions);
        QList<bool> states;
        closed.setStateListener([&](bool available, const QString&) { states.append(available); });
        RedisCounterStore::Options openOptions = closedOptions;
        openOptions.failOpen = true;
        RedisCounterStore open(openOptions);

        const qint64 t0 = nextHourMs();
        const CounterRequest r = request("down", 3600, 5);
        CounterHold hold;
        const CounterOutcome refused = closed.reserve(one(r), t0, &hold);
        QVERIFY(!refused.fits);
        QVERIFY2(refused.unavailable.contains(QString::number(port)), qPrintable(refused.unavailable));
        QVERIFY(hold.entries.isEmpty());
        QCOMPARE(states, QList<bool>{false});
        const CounterOutcome allowed = open.reserve(one(r), t0, &hold);
        QVERIFY(allowed.fits);
        QVERIFY(!allowed.unavailable.isEmpty());
        QVERIFY(hold.entries.isEmpty()); // nothing to commit: it was not counted

        // The evaluator turns the closed outcome into a refusal that says why.
        const PolicyLoad policy =
            PolicyParser::parse("{\"version\":\"1\",\"default\":\"allow\",\"tools\":{\"run\":{\"limits\":"
                                "[{\"counter\":\"down\",\"window\":\"hour\",\"max\":5}]}}}");
        QVERIFY(policy.policy);
        const Evaluator evaluator(std::shared_ptr<CounterStore>(&closed, [](CounterStore*) {}));
        const Decision d = evaluator.decide(*policy.policy, ToolCall{QStringLiteral("run"), {}, {}, {}}, t0);
        QCOMPARE(d.verdict, Verdict::Denied);
        QCOMPARE(d.rule, DecisionRule::countersUnavailable());
        QVERIFY(d.message.contains(QStringLiteral("cannot be checked")));
        // A tool without limits does not need the counters.
        QVERIFY(
            evaluator.decide(*policy.policy, ToolCall{QStringLiteral("other"), {}, {}, {}}, t0).isAllowed());
        const Evaluator openEvaluator(std::shared_ptr<CounterStore>(&open, [](CounterStore*) {}));
        const Decision o =
            openEvaluator.decide(*policy.policy, ToolCall{QStringLiteral("run"), {}, {}, {}}, t0);
        QVERIFY(o.isAllowed());
        QVERIFY(o.message.contains(QStringLiteral("fail open")));

        // Redis comes up: after the reconnect delay the store counts again.
        QVERIFY2(later.start(port), later.log().constData());
        QTRY_VERIFY_WITH_TIMEOUT(closed.reserve(one(r), t0, &hold).fits, 5000);
        QCOMPARE(states, (QList<bool>{false, true}));
        QCOMPARE(hold.entries.size(), 1);
        // And goes away again mid-use: refused at once, not after a hang.
        later.stop();
        QElapsedTimer t;
        t.start();
        QVERIFY(!closed.reserve(one(r), t0, &hold).fits);
        QVERIFY(t.elapsed() < 2000);
        QCOMPARE(states, (QList<bool>{false, true, false}));
    }

    void scriptsReloadAfterFlush()
    {
        RedisCounterStore store(optionsFor(m_redis));
        const qint64 t0 = nextHourMs();
        CounterHold hold;
        QVERIFY(store.reserve(one(request("flush", 3600, 5)), t0, &hold).fits);
        QCOMPARE(redisCli(m_redis, {QStringLiteral("SCRIPT"), QStringLiteral("FLUSH")}), QByteArray("OK"));
        QVERIFY(store.reserve(one(request("flush", 3600, 5)), t0, &hold).fits);
        QCOMPARE(store.used(request("flush", 3600, 5).key, t0), 2.0);
    }

private:
    RedisServer m_redis;
};

QTEST_GUILESS_MAIN(TestRedisCounterStore)
#include "tst_rediscounterstore.moc"
