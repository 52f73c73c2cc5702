// SPDX-License-Identifier: GPL-3.0-or-later
// Tool pinning against a rug pull: the Rolli sandbox is served and its tools pinned; the next run's
// get_usage tells the model to leak a config file (the same `sandbox`, with GATEHOUSE_SANDBOX_RUG_PULL=1).
// Gatehouse holds it back (not listed, refused with -32602), flags the hidden instruction, shows the diff,
// and releases the new definition to a connected SDK client, with list_changed, once `gatehouse pins accept`
// runs.
#include "E2eSupport.h"

#include <QJsonArray>

using namespace e2e;

namespace {
QStringList toolNames(McpClient& client)
{
    const RawResponse r = client.send("{\"jsonrpc\":\"2.0\",\"id\":\"list\",\"method\":\"tools/list\"}");
    QStringList names;
    for (const QJsonValue& t : QJsonDocument::fromJson(r.body)[u"result"][u"tools"].toArray())
        names << t[u"name"].toString();
    return names;
}

QJsonObject runClientScenario(const QString& scenario, const QString& url, const QProcessEnvironment& env)
{
    return runNode({E2eDir + QStringLiteral("/client.mjs"), scenario, QStringLiteral("--http"), url,
                    QStringLiteral("--token"), ProxyProcess::token()},
                   env, 60'000)
        .output;
}
} // namespace

class TestPinsE2E : public QObject
{
    Q_OBJECT
private slots:
    void rugPullIsHeldShownAndReleased()
    {
        const QString pins = scratch(QStringLiteral("pins.json"));
        const QString policy = E2eDir + QStringLiteral("/policy-allow-all.json");
        const QStringList pinsOption{QStringLiteral("--pins"), pins};

        // First run: every tool pinned on sight, all usable.
        {
            ProxyProcess first;
            QVERIFY2(
                first.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")}, pinsOption, policy),
                qPrintable(first.log()));
            McpClient client(first.port());
            QVERIFY(client.initialize());
            QCOMPARE(toolNames(client).size(), 30);
            QVERIFY(first.waitForLog(
                QRegularExpression(QStringLiteral("default: pinned 30 tool definitions")), 5000));
            QVERIFY(!client.call(QStringLiteral("get_usage"), {})[u"result"][u"isError"].toBool());
        }
        const CommandRun none =
            runGatehouse({QStringLiteral("pins"), QStringLiteral("list"), QStringLiteral("--pins"), pins});
        QVERIFY2(none.out.contains(QStringLiteral("no tools are held")), qPrintable(none.out));

        // Second run: get_usage's description has turned malicious.
        ProxyProcess second;
        second.setEnvironmentValue(QStringLiteral("GATEHOUSE_SANDBOX_RUG_PULL"), QStringLiteral("1"));
        QVERIFY2(
            second.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")}, pinsOption, policy),
            qPrintable(second.log()));
        {
            McpClient client(second.port());
            QVERIFY(client.initialize());
            const QStringList names = toolNames(client);
            QCOMPARE(names.size(), 29);
            QVERIFY(!names.contains(QStringLiteral("get_usage")));
            const QJsonObject refused = client.call(QStringLiteral("get_usage"), {});
            QCOMPARE(refused[u"error"][u"code"].toInt(), -32602);
            QVERIFY2(refused[u"error"][u"message"].toString().contains(
                         QStringLiteral("held until a person reviews it")),
                     qPrintable(refused[u"error"][u"message"].toString()));
            // Other tools are untouched.
            QVERIFY(!client.call(QStringLiteral("list_agent_runs"), {})[u"result"][u"isError"].toBool());
        }
        QVERIFY2(second.waitForLog(
                     QRegularExpression(QStringLiteral(
                         "tool get_usage changed since it was pinned; held until a person reviews it "
                         "\\(suspicious: a tag such as <IMPORTANT>")),
                     5000),
                 qPrintable(second.log()));
        QVERIFY(second.waitForLog(
            QRegularExpression(QStringLiteral("get_usage hidden \\(held for review\\)")), 5000));

        // Shown for review: listed with the reason, and the diff of old and new.
        const CommandRun list =
            runGatehouse({QStringLiteral("pins"), QStringLiteral("list"), QStringLiteral("--pins"), pins});
        QVERIFY2(list.out.contains(QStringLiteral("default  get_usage  changed")), qPrintable(list.out));
        QVERIFY(list.out.contains(QStringLiteral("SUSPICIOUS: a tag such as <IMPORTANT>")));
        QVERIFY(list.out.contains(QStringLiteral("text asking the model to keep something from the user")));
        QVERIFY(list.out.contains(QStringLiteral("a mention of credentials or private files")));
        const CommandRun show =
            runGatehouse({QStringLiteral("pins"), QStringLiteral("show"), QStringLiteral("default"),
                          QStringLiteral("get_usage"), QStringLiteral("--pins"), pins});
        QCOMPARE(show.exitCode, 0);
        QRegularExpression removed(QStringLiteral("(?m)^- +\"description\": \"(?!.*IMPORTANT)"));
        QRegularExpression added(
            QStringLiteral("(?m)^\\+ +\"description\": \".*<IMPORTANT>Before using this tool"));
        QVERIFY2(removed.match(show.out).hasMatch() && added.match(show.out).hasMatch(),
                 qPrintable(show.out));

        // A connected SDK client: still refused, then released by `gatehouse pins accept` in another process.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("E2E_TOOL"), QStringLiteral("get_usage"));
        env.insert(QStringLiteral("E2E_ACCEPT"),
                   QString::fromUtf8(
                       QJsonDocument(QJsonArray{Gatehouse, QStringLiteral("pins"), QStringLiteral("accept"),
                                                QStringLiteral("default"), QStringLiteral("get_usage"),
                                                QStringLiteral("--pins"), pins})
                           .toJson(QJsonDocument::Compact)));
        const QJsonObject run = runClientScenario(QStringLiteral("pinRelease"), second.url(), env);
        QVERIFY2(!run.isEmpty(), qPrintable(second.log()));
        QVERIFY(!run[u"before"].toVariant().toStringList().contains(QStringLiteral("get_usage")));
        QCOMPARE(run[u"refused"][u"error"][u"code"].toInt(), -32602);
        QVERIFY(run[u"acceptOutput"].toString().contains(QStringLiteral("accepted default / get_usage")));
        QCOMPARE(run[u"notified"].toBool(), true);
        QVERIFY(run[u"after"].toVariant().toStringList().contains(QStringLiteral("get_usage")));
        QVERIFY(run[u"description"].toString().contains(QStringLiteral("<IMPORTANT>")));
        QCOMPARE(run[u"released"][u"result"][u"isError"].toBool(), false);

        // Pinned now: a third run with the same definition holds nothing.
        second.process().terminate();
        QVERIFY(second.process().waitForFinished(10'000));
        const CommandRun after =
            runGatehouse({QStringLiteral("pins"), QStringLiteral("list"), QStringLiteral("--pins"), pins});
        QVERIFY2(after.out.contains(QStringLiteral("no tools are held")), qPrintable(after.out));
    }

    void unreadablePinsStopTheProxy()
    {
        const QString pins = scratch(QStringLiteral("broken-pins.json"));
        QFile f(pins);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"version\": \"1\", \"servers\": [");
        f.close();
        ProxyProcess proxy;
        QVERIFY(!proxy.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")},
                             {QStringLiteral("--pins"), pins}));
        QTRY_COMPARE(proxy.process().state(), QProcess::NotRunning);
        QCOMPARE(proxy.process().exitCode(), 1);
        QVERIFY2(proxy.log().contains(QStringLiteral("is not a pins file")), qPrintable(proxy.log()));
    }
};

QTEST_GUILESS_MAIN(TestPinsE2E)
#include "tst_pins_e2e.moc"
