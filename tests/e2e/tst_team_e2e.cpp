// SPDX-License-Identifier: GPL-3.0-or-later
// Several proxies serving one team. Two gatehouse proxies against one real redis-server on 127.0.0.1
// share one global budget exactly under concurrent load, refuse limited calls while Redis is down (or
// run them uncounted when told to fail open), and count again once it is back. A call held for
// approval is answered through the admin API of the proxy that holds it.
#include "E2eSupport.h"
#include "RedisServer.h"

#include <atomic>
#include <thread>

using namespace e2e;

namespace {
constexpr int ClientsPerProxy = 10;
constexpr int CallsEach = 300; // 2 × 10 × 300 = 6,000 calls for a budget of 1,000

struct Tally
{
    std::atomic<int> allowed{0};
    std::atomic<int> limited{0};
    std::atomic<int> other{0};
};

void hammer(quint16 port, Tally* tally, std::atomic<int>* done)
{
    McpClient client(port);
    if (client.initialize()) {
        for (int i = 0; i < CallsEach; ++i) {
            const QJsonObject result =
                client.call(QStringLiteral("get_usage"), {})[QStringLiteral("result")].toObject();
            const QString text = result[QStringLiteral("content")][0][QStringLiteral("text")].toString();
            if (result.isEmpty())
                ++tally->other;
            else if (!result[QStringLiteral("isError")].toBool())
                ++tally->allowed;
            else if (text.contains(QStringLiteral("Rate limit")))
                ++tally->limited;
            else
                ++tally->other;
        }
    } else {
        tally->other += CallsEach;
    }
    ++*done;
}

QJsonObject callOnce(quint16 port)
{
    McpClient client(port);
    if (!client.initialize())
        return {};
    return client.call(QStringLiteral("get_usage"), {})[QStringLiteral("result")].toObject();
}

QString textOf(const QJsonObject& result)
{
    return result[QStringLiteral("content")][0][QStringLiteral("text")].toString();
}

QStringList sharedCounters(const RedisServer& redis, const QString& failure = QStringLiteral("closed"))
{
    return {QStringLiteral("--counters"), redis.url(), QStringLiteral("--counters-failure"), failure};
}
} // namespace

class TestTeamE2E : public QObject
{
    Q_OBJECT
private slots:
    // Its policy counts calls per day: no run may straddle midnight UTC.
    void initTestCase() { waitForWindowRoom(86400, 600); }
    void twoProxiesShareOneGlobalLimit()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), redis.log().constData());
        ProxyProcess a;
        ProxyProcess b;
        const QStringList sandbox{QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")};
        const QString policy = E2eDir + QStringLiteral("/policy-team.json");
        QVERIFY2(a.start(sandbox, sharedCounters(redis), policy), qPrintable(a.log()));
        QVERIFY2(b.start(sandbox, sharedCounters(redis), policy), qPrintable(b.log()));
        QVERIFY2(a.log().contains(QStringLiteral("counters: shared in redis://127.0.0.1:")),
                 qPrintable(a.log()));

        Tally tally;
        std::atomic<int> done{0};
        QElapsedTimer t;
        t.start();
        std::vector<std::thread> threads;
        for (int c = 0; c < 2 * ClientsPerProxy; ++c)
            threads.emplace_back(hammer, c % 2 ? a.port() : b.port(), &tally, &done);
        // Keep reading both proxies' logs while the clients run.
        QTRY_VERIFY_WITH_TIMEOUT(done.load() == 2 * ClientsPerProxy, 240'000);
        for (std::thread& th : threads)
            th.join();
        const int total = 2 * ClientsPerProxy * CallsEach;
        qInfo("2 proxies × %d clients × %d calls in %.1f s (%.0f calls/s): %d allowed, %d limited, %d other",
              ClientsPerProxy, CallsEach, t.nsecsElapsed() / 1e9, total / (t.nsecsElapsed() / 1e9),
              tally.allowed.load(), tally.limited.load(), tally.other.load());
        QCOMPARE(tally.allowed.load(), 1000);
        QCOMPARE(tally.limited.load(), total - 1000);
        QCOMPARE(tally.other.load(), 0);
        // Each proxy allowed some: the budget really was shared, not split or doubled.
        const QString allowedLine = QStringLiteral(" get_usage allowed");
        QVERIFY(a.log().count(allowedLine) > 0);
        QVERIFY(b.log().count(allowedLine) > 0);
        QCOMPARE(a.log().count(allowedLine) + b.log().count(allowedLine), qsizetype(1000));
    }

    void redisDownFailsClosedOrOpenThenRecovers()
    {
        RedisServer redis;
        QVERIFY2(redis.start(), redis.log().constData());
        const QStringList sandbox{QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")};
        const QString policy = E2eDir + QStringLiteral("/policy-team.json");
        ProxyProcess closed;
        ProxyProcess open;
        QVERIFY2(closed.start(sandbox, sharedCounters(redis), policy), qPrintable(closed.log()));
        QVERIFY2(open.start(sandbox, sharedCounters(redis, QStringLiteral("open")), policy),
                 qPrintable(open.log()));
        QVERIFY(!callOnce(closed.port())[QStringLiteral("isError")].toBool());

        redis.stop();
        const QJsonObject refused = callOnce(closed.port());
        QVERIFY(refused[QStringLiteral("isError")].toBool());
        QVERIFY2(textOf(refused).contains(QStringLiteral("cannot be checked")), qPrintable(textOf(refused)));
        QVERIFY2(textOf(refused).contains(QString::number(redis.port())), qPrintable(textOf(refused)));
        QVERIFY(closed.waitForLog(QRegularExpression(QStringLiteral("Redis at .* is unreachable .* refused")),
                                  5000));
        QVERIFY(closed.waitForLog(
            QRegularExpression(QStringLiteral("get_usage denied \\(counters unavailable\\)")), 5000));

        const QJsonObject uncounted = callOnce(open.port());
        QVERIFY2(!uncounted[QStringLiteral("isError")].toBool(), qPrintable(textOf(uncounted)));
        QVERIFY(
            open.waitForLog(QRegularExpression(QStringLiteral("unreachable .* allowed uncounted")), 5000));

        // Back on the same address: the proxy reconnects by itself and counts again.
        QVERIFY2(redis.start(redis.port()), redis.log().constData());
        QTRY_VERIFY_WITH_TIMEOUT(!callOnce(closed.port())[QStringLiteral("isError")].toBool(), 10'000);
        QVERIFY(closed.waitForLog(QRegularExpression(QStringLiteral("reachable again")), 5000));
    }

    void approvalGoesToTheProxyThatHoldsTheCall()
    {
        const QStringList sandbox{QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")};
        const QString policy = E2eDir + QStringLiteral("/policy-team.json");
        const QString adminA = scratch(QStringLiteral("admin-a.json"));
        const QString adminB = scratch(QStringLiteral("admin-b.json"));
        ProxyProcess a;
        ProxyProcess b;
        QVERIFY2(a.start(sandbox, {QStringLiteral("--admin-file"), adminA}, policy), qPrintable(a.log()));
        QVERIFY2(b.start(sandbox, {QStringLiteral("--admin-file"), adminB}, policy), qPrintable(b.log()));
        const QStringList both{QStringLiteral("--admin-file"), adminA, QStringLiteral("--admin-file"),
                               adminB};

        QJsonObject answer;
        std::atomic<bool> answered{false};
        std::thread agent([&] {
            McpClient client(b.port());
            if (client.initialize())
                answer = client.call(QStringLiteral("get_integration_setup"), {});
            answered = true;
        });
        // Listed across both proxies, with the address of the one that holds it.
        QString line;
        QTRY_VERIFY_WITH_TIMEOUT(
            (line = runGatehouse(QStringList{QStringLiteral("approvals"), QStringLiteral("list")} + both).out)
                .contains(QStringLiteral("get_integration_setup")),
            20'000);
        const QString adminUrlB = QStringLiteral("http://127.0.0.1:%1/admin").arg(b.port());
        QVERIFY2(line.startsWith(adminUrlB), qPrintable(line));
        const QString id = line.section(QStringLiteral("  "), 1, 1);
        QCOMPARE(id.size(), 6);
        // Proxy A alone does not know it.
        const CommandRun wrong = runGatehouse({QStringLiteral("approvals"), QStringLiteral("approve"), id,
                                               QStringLiteral("--admin-file"), adminA});
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY(!answered.load());
        // Named with both, the answer is routed to B, and B's agent gets its result.
        const CommandRun routed =
            runGatehouse(QStringList{QStringLiteral("approvals"), QStringLiteral("approve"), id,
                                     QStringLiteral("--note"), QStringLiteral("ok")} +
                         both);
        QCOMPARE(routed.exitCode, 0);
        QVERIFY2(routed.out.contains(QStringLiteral("(at %1)").arg(adminUrlB)), qPrintable(routed.out));
        QTRY_VERIFY_WITH_TIMEOUT(answered.load(), 20'000);
        agent.join();
        const QJsonObject result = answer[QStringLiteral("result")].toObject();
        QVERIFY2(!result.isEmpty() && !result[QStringLiteral("isError")].toBool(),
                 QJsonDocument(answer).toJson().constData());
        QVERIFY(b.waitForLog(
            QRegularExpression(QStringLiteral("approval %1 allowed by admin-api: ok").arg(id)), 5000));
        // Answered calls are gone from every proxy.
        const CommandRun again =
            runGatehouse(QStringList{QStringLiteral("approvals"), QStringLiteral("approve"), id} + both);
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.out.contains(QStringLiteral("no proxy holds")), qPrintable(again.out));
    }

    void badAddressIsAUsageError()
    {
        const CommandRun r = runGatehouse({QStringLiteral("serve"), QStringLiteral("--counters"),
                                           QStringLiteral("redis:/nowhere"), QStringLiteral("--"), Gatehouse,
                                           QStringLiteral("sandbox")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.out.contains(QStringLiteral("is not a Redis address")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestTeamE2E)
#include "tst_team_e2e.moc"
