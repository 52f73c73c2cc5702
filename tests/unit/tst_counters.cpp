// SPDX-License-Identifier: GPL-3.0-or-later
#include "counters/InMemoryCounterStore.h"
#include "counters/Reservation.h"

#include <QDateTime>
#include <QtTest>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace gatehouse;

namespace {
qint64 at(const char* isoUtc)
{
    return QDateTime::fromString(QString::fromLatin1(isoUtc), Qt::ISODateWithMs).toMSecsSinceEpoch();
}
CounterRequest request(const char* counter, qint64 window, double max, double amount = 1,
                       const char* scope = "global")
{
    return {CounterKey{QString::fromLatin1(counter), QString::fromLatin1(scope), window}, max, amount};
}
} // namespace

class TestCounters : public QObject
{
    Q_OBJECT
private slots:
    void windowsAlignToUtc_data();
    void windowsAlignToUtc();
    void retryAfter_data();
    void retryAfter();
    void fillsAndResetsAtWindowEdge_data();
    void fillsAndResetsAtWindowEdge();
    void scopesAreSeparateBudgets();
    void reserveIsAllOrNothing();
    void sameCounterTwiceInOneCall();
    void rollbackGivesQuotaBack();
    void commitKeepsQuota();
    void staleHoldIsIgnored();
    void amountsAreFractional();
    void checkChangesNothing();
    void droppedReservationRollsBack();
    void reservationCopiesShareOneHold();
    void sweepRemovesEndedWindows();
    void concurrentReservesNeverOvershoot();
};

void TestCounters::windowsAlignToUtc_data()
{
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("window");
    QTest::addColumn<qint64>("start");
    QTest::newRow("second") << at("2026-03-01T10:15:42.900Z") << 1LL << at("2026-03-01T10:15:42Z") / 1000;
    QTest::newRow("minute") << at("2026-03-01T10:15:42.900Z") << 60LL << at("2026-03-01T10:15:00Z") / 1000;
    QTest::newRow("hour") << at("2026-03-01T10:15:42Z") << 3600LL << at("2026-03-01T10:00:00Z") / 1000;
    QTest::newRow("day") << at("2026-03-01T23:59:59.999Z") << 86400LL << at("2026-03-01T00:00:00Z") / 1000;
    QTest::newRow("30 seconds") << at("2026-03-01T10:15:42Z") << 30LL << at("2026-03-01T10:15:30Z") / 1000;
    QTest::newRow("7 seconds, multiples since epoch") << qint64(1000 * 1000) << 7LL << 994LL;
    QTest::newRow("exact edge") << at("2026-03-01T10:16:00Z") << 60LL << at("2026-03-01T10:16:00Z") / 1000;
}

void TestCounters::windowsAlignToUtc()
{
    QFETCH(qint64, now);
    QFETCH(qint64, window);
    QFETCH(qint64, start);
    QCOMPARE(CounterStore::windowStart(now, window), start);
}

void TestCounters::retryAfter_data()
{
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("window");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("minute, 42.9 s in") << at("2026-03-01T10:15:42.900Z") << 60LL << 18LL;
    QTest::newRow("minute, at the start") << at("2026-03-01T10:15:00Z") << 60LL << 60LL;
    QTest::newRow("minute, last ms rounds up to 1") << at("2026-03-01T10:15:59.999Z") << 60LL << 1LL;
    QTest::newRow("day at noon") << at("2026-03-01T12:00:00Z") << 86400LL << 43200LL;
    QTest::newRow("second") << at("2026-03-01T12:00:00.250Z") << 1LL << 1LL;
}

void TestCounters::retryAfter()
{
    QFETCH(qint64, now);
    QFETCH(qint64, window);
    QFETCH(qint64, seconds);
    QCOMPARE(CounterStore::retryAfterSeconds(now, window), seconds);
}

void TestCounters::fillsAndResetsAtWindowEdge_data()
{
    QTest::addColumn<qint64>("window");
    QTest::addColumn<qint64>("start");
    QTest::newRow("second") << 1LL << at("2026-03-01T10:15:42Z");
    QTest::newRow("minute") << 60LL << at("2026-03-01T10:15:00Z");
    QTest::newRow("hour") << 3600LL << at("2026-03-01T10:00:00Z");
    QTest::newRow("day") << 86400LL << at("2026-03-01T00:00:00Z");
    QTest::newRow("45 seconds") << 45LL << CounterStore::windowStart(at("2026-03-01T10:15:42Z"), 45) * 1000;
}

void TestCounters::fillsAndResetsAtWindowEdge()
{
    QFETCH(qint64, window);
    QFETCH(qint64, start);
    InMemoryCounterStore store;
    const CounterRequest r = request("c", window, 3);
    const qint64 lastMs = start + window * 1000 - 1;
    for (int i = 0; i < 3; ++i) {
        CounterHold hold;
        QVERIFY(store.reserve({&r, 1}, start + i, &hold).fits);
        store.commit(hold);
    }
    CounterHold hold;
    const CounterOutcome full = store.reserve({&r, 1}, lastMs, &hold);
    QVERIFY(!full.fits);
    QCOMPARE(full.refusedIndex, 0);
    QCOMPARE(full.retryAfterSeconds, 1);
    QCOMPARE(store.used(r.key, lastMs), 3.0);
    // The next window starts empty.
    QVERIFY(store.reserve({&r, 1}, start + window * 1000, &hold).fits);
    QCOMPARE(store.used(r.key, start + window * 1000), 1.0);
}

void TestCounters::scopesAreSeparateBudgets()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest alice = request("rate", 60, 1, 1, "grant:alice");
    const CounterRequest bob = request("rate", 60, 1, 1, "grant:bob");
    CounterHold h;
    QVERIFY(store.reserve({&alice, 1}, now, &h).fits);
    QVERIFY(!store.reserve({&alice, 1}, now, &h).fits);
    QVERIFY(store.reserve({&bob, 1}, now, &h).fits);
    // Another counter name is another budget; the same name is the same budget.
    const CounterRequest other = request("other", 60, 1, 1, "grant:alice");
    QVERIFY(store.reserve({&other, 1}, now, &h).fits);
    const CounterRequest sameNameOtherMax = request("rate", 60, 5, 1, "grant:alice");
    QCOMPARE(store.used(sameNameOtherMax.key, now), 1.0);
}

void TestCounters::reserveIsAllOrNothing()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest roomy = request("roomy", 60, 10);
    const CounterRequest tight = request("tight", 3600, 1);
    CounterHold h;
    QVERIFY(store.reserve({&tight, 1}, now, &h).fits);
    const CounterRequest both[] = {roomy, tight};
    CounterHold none;
    const CounterOutcome o = store.reserve(both, now, &none);
    QVERIFY(!o.fits);
    QCOMPARE(o.refusedIndex, 1);
    QCOMPARE(o.retryAfterSeconds, 3600);
    QVERIFY(none.entries.isEmpty());
    QCOMPARE(store.used(roomy.key, now), 0.0); // nothing taken from the one that had room
}

void TestCounters::sameCounterTwiceInOneCall()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest twice[] = {request("shared", 60, 3, 2), request("shared", 60, 3, 2)};
    CounterHold h;
    QVERIFY(!store.reserve(twice, now, &h).fits); // 2 + 2 > 3 although each alone fits
}

void TestCounters::rollbackGivesQuotaBack()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest r = request("c", 60, 1);
    CounterHold h;
    QVERIFY(store.reserve({&r, 1}, now, &h).fits);
    CounterHold h2;
    QVERIFY(!store.reserve({&r, 1}, now, &h2).fits); // reserved counts at once
    store.rollback(h);
    QCOMPARE(store.used(r.key, now), 0.0);
    QVERIFY(store.reserve({&r, 1}, now, &h2).fits);
}

void TestCounters::commitKeepsQuota()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest r = request("c", 60, 2);
    CounterHold h;
    QVERIFY(store.reserve({&r, 1}, now, &h).fits);
    store.commit(h);
    QCOMPARE(store.used(r.key, now), 1.0);
    CounterHold h2;
    QVERIFY(store.reserve({&r, 1}, now, &h2).fits);
    store.commit(h2);
    QVERIFY(!store.check({&r, 1}, now).fits);
}

void TestCounters::staleHoldIsIgnored()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:59Z");
    const CounterRequest r = request("c", 60, 1);
    CounterHold old;
    QVERIFY(store.reserve({&r, 1}, now, &old).fits);
    const qint64 next = at("2026-03-01T10:01:01Z");
    CounterHold fresh;
    QVERIFY(store.reserve({&r, 1}, next, &fresh).fits);
    store.rollback(old); // belongs to the previous minute: must not free this minute's quota
    QCOMPARE(store.used(r.key, next), 1.0);
}

void TestCounters::amountsAreFractional()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest r = request("spend", 86400, 100, 40.5);
    CounterHold h;
    QVERIFY(store.reserve({&r, 1}, now, &h).fits);
    QVERIFY(store.reserve({&r, 1}, now, &h).fits);
    QVERIFY(!store.reserve({&r, 1}, now, &h).fits); // 121.5 > 100
    const CounterRequest small = request("spend", 86400, 100, 19);
    QVERIFY(store.reserve({&small, 1}, now, &h).fits); // 100 exactly
}

void TestCounters::checkChangesNothing()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest r = request("c", 60, 1);
    for (int i = 0; i < 5; ++i)
        QVERIFY(store.check({&r, 1}, now).fits);
    QCOMPARE(store.used(r.key, now), 0.0);
}

void TestCounters::droppedReservationRollsBack()
{
    auto store = std::make_shared<InMemoryCounterStore>();
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest r = request("c", 60, 5);
    {
        CounterHold h;
        QVERIFY(store->reserve({&r, 1}, now, &h).fits);
        Reservation dropped(store, h);
        QCOMPARE(store->used(r.key, now), 1.0);
    }
    QCOMPARE(store->used(r.key, now), 0.0);
    {
        CounterHold h;
        QVERIFY(store->reserve({&r, 1}, now, &h).fits);
        Reservation kept(store, h);
        kept.commit();
    }
    QCOMPARE(store->used(r.key, now), 1.0);
}

void TestCounters::reservationCopiesShareOneHold()
{
    auto store = std::make_shared<InMemoryCounterStore>();
    const qint64 now = at("2026-03-01T10:00:00Z");
    const CounterRequest r = request("c", 60, 5);
    CounterHold h;
    QVERIFY(store->reserve({&r, 1}, now, &h).fits);
    Reservation a(store, h);
    Reservation b = a;
    a.rollback();
    b.rollback(); // the second settle of the same hold does nothing
    b.commit();
    QCOMPARE(store->used(r.key, now), 0.0);
}

void TestCounters::sweepRemovesEndedWindows()
{
    InMemoryCounterStore store;
    const qint64 now = at("2026-03-01T10:00:00Z");
    for (int i = 0; i < 100; ++i) {
        const CounterRequest r{CounterKey{QStringLiteral("c"), QStringLiteral("session:%1").arg(i), 1}, 1, 1};
        CounterHold h;
        QVERIFY(store.reserve({&r, 1}, now, &h).fits);
    }
    QCOMPARE(store.bucketCount(), 100);
    const CounterRequest later = request("c", 60, 1);
    CounterHold h;
    QVERIFY(store.reserve({&later, 1}, now + 61'000, &h).fits);
    QCOMPARE(store.bucketCount(), 1);
}

void TestCounters::concurrentReservesNeverOvershoot()
{
    auto store = std::make_shared<InMemoryCounterStore>();
    const qint64 now = at("2026-03-01T10:00:00Z");
    // Phase 1: 8 threads race for 1000 slots with 4000 attempts: exactly 1000 win.
    const CounterRequest r = request("global_budget", 60, 1000);
    std::atomic<int> allowed{0};
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 500; ++i) {
                    CounterHold h;
                    if (store->reserve({&r, 1}, now, &h).fits) {
                        ++allowed;
                        store->commit(h);
                    }
                }
            });
        }
        for (auto& th : threads)
            th.join();
    }
    QCOMPARE(allowed.load(), 1000);
    QCOMPARE(store->used(r.key, now), 1000.0);

    // Phase 2: some calls fail upstream and give quota back; what is kept is what was committed.
    const CounterRequest r2 = request("flaky_budget", 60, 300);
    std::atomic<int> committed{0};
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 500; ++i) {
                    CounterHold h;
                    if (!store->reserve({&r2, 1}, now, &h).fits)
                        continue;
                    if ((i + t) % 3 == 0) {
                        store->rollback(h);
                    } else {
                        store->commit(h);
                        ++committed;
                    }
                }
            });
        }
        for (auto& th : threads)
            th.join();
    }
    QVERIFY(committed.load() <= 300);
    QCOMPARE(store->used(r2.key, now), double(committed.load()));
}

QTEST_APPLESS_MAIN(TestCounters)
#include "tst_counters.moc"
