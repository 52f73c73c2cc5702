// SPDX-License-Identifier: GPL-3.0-or-later
// The Rolli sandbox (`gatehouse sandbox`) driven by the official SDK client, directly and through the
// proxy with the shipped recommended policy.
#include "E2eSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

using namespace e2e;

namespace {

QJsonObject runClient(const QStringList& args, const QMap<QString, QString>& env = {})
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        e.insert(it.key(), it.value());
    return runNode(QStringList{E2eDir + QStringLiteral("/client.mjs")} + args, e).output;
}

const QString Recommended = QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json");

} // namespace

class TestSandboxE2E : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void toolsAndSchemas();
    void searchesSpendCredits();
    void runLifecycle();
    void runCreditsRunOut();
    void schedules();
    void recommendedPolicyThroughTheProxy();
    void scanGuessesTheCatalogueClasses();
    void scanAnyServer();

private:
    QJsonObject m_out;
};

void TestSandboxE2E::initTestCase()
{
    m_out = runClient(
        {QStringLiteral("rolli"), QStringLiteral("--direct"), Gatehouse, QStringLiteral("sandbox")});
    QVERIFY2(!m_out.isEmpty() && !m_out.contains(u"fatal"), QJsonDocument(m_out).toJson().constData());
}

void TestSandboxE2E::toolsAndSchemas()
{
    QCOMPARE(m_out[QStringLiteral("tools")].toArray().size(), 30);
    QCOMPARE(m_out[QStringLiteral("badArgument")].toString(),
             QStringLiteral("400 Bad Request: argument 'id' must be a UUID"));
    QCOMPARE(m_out[QStringLiteral("unknownArgument")].toString(),
             QStringLiteral("400 Bad Request: argument 'months' is not accepted by this tool"));
}

void TestSandboxE2E::searchesSpendCredits()
{
    QCOMPARE(m_out[QStringLiteral("searchPosts")].toInt(), 5);
    QCOMPARE(m_out[QStringLiteral("topics")].toInt(), 4);
    const QJsonObject usage = m_out[QStringLiteral("usage")].toObject();
    QCOMPARE(usage[QStringLiteral("search_credits_used")].toInt(), 30); // keyword 10 + expert 20
    QCOMPARE(usage[QStringLiteral("search_credits_remaining")].toInt(), 970);
}

void TestSandboxE2E::runLifecycle()
{
    QCOMPARE(m_out[QStringLiteral("startedStatus")].toString(), QStringLiteral("pending"));
    const QString finished = m_out[QStringLiteral("finishedStatus")].toString();
    QVERIFY2(finished == u"completed" || finished == u"failed", qPrintable(finished));
    if (finished == u"completed")
        QVERIFY(m_out[QStringLiteral("rerunFinished")].toString().startsWith(u"422 Unprocessable Entity"));
    else
        QVERIFY(m_out[QStringLiteral("rerunFinished")].toString().contains(u"\"status\": \"pending\""));
    QVERIFY(m_out[QStringLiteral("deletePending")].toString().startsWith(
        u"409 Conflict: only completed or failed runs"));
    QCOMPARE(m_out[QStringLiteral("cancelled")].toString(), QStringLiteral("failed"));
    QCOMPARE(m_out[QStringLiteral("deleteFailed")].toBool(), true);
    QVERIFY(m_out[QStringLiteral("getDeleted")].toString().startsWith(u"404 Not Found"));
    QVERIFY(!m_out[QStringLiteral("listed")].toArray().contains(
        m_out[QStringLiteral("secondId")])); // soft-deleted: hidden
}

void TestSandboxE2E::runCreditsRunOut()
{
    // 12 run credits: 1 spent, then 4 + 4 fit and the third 4 does not.
    const QJsonArray runs = m_out[QStringLiteral("creditsStatuses")].toArray();
    QCOMPARE(runs.size(), 3);
    QCOMPARE(runs[0][QStringLiteral("status")].toString(), QStringLiteral("running"));
    QCOMPARE(runs[1][QStringLiteral("status")].toString(), QStringLiteral("running"));
    QCOMPARE(runs[2][QStringLiteral("status")].toString(), QStringLiteral("failed"));
    QCOMPARE(runs[2][QStringLiteral("error")].toString(),
             QStringLiteral("insufficient credits: the run needs 4, 3 left"));
}

void TestSandboxE2E::schedules()
{
    const QDateTime next =
        QDateTime::fromString(m_out[QStringLiteral("scheduleNext")].toString(), Qt::ISODate);
    const QDateTime updated =
        QDateTime::fromString(m_out[QStringLiteral("scheduleUpdatedNext")].toString(), Qt::ISODate);
    QVERIFY(next.isValid() && next > QDateTime::currentDateTimeUtc().addSecs(-60));
    QCOMPARE(next.time(), QTime(9, 0));
    QCOMPARE(updated.time(), QTime(18, 30)); // recomputed on update
    QVERIFY(m_out[QStringLiteral("pausedNext")].isNull());
    QCOMPARE(m_out[QStringLiteral("resumedNext")].toString(),
             m_out[QStringLiteral("scheduleUpdatedNext")].toString());
    QCOMPARE(m_out[QStringLiteral("scheduleRuns")].toInt(), 0);
    QVERIFY(m_out[QStringLiteral("scheduleGone")].toString().startsWith(u"404 Not Found"));
}

void TestSandboxE2E::recommendedPolicyThroughTheProxy()
{
    ProxyProcess proxy;
    QVERIFY2(proxy.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")}, {}, Recommended),
             qPrintable(proxy.log()));
    const QJsonObject out = runClient({QStringLiteral("rerunLoop"), QStringLiteral("--http"), proxy.url(),
                                       QStringLiteral("--token"), ProxyProcess::token()},
                                      {{QStringLiteral("E2E_TIMES"), QStringLiteral("11")}});
    const QJsonArray results = out[QStringLiteral("results")].toArray();
    QCOMPARE(results.size(), 11);
    for (int i = 0; i < 10; ++i)
        QVERIFY2(!results[i].toString().startsWith(u"Rate limit"), qPrintable(results[i].toString()));
    QVERIFY2(results[10].toString().startsWith(
                 u"Rate limit reached for rerun_agent_run: 10 per minute (counter rerun_agent_run_rate)"),
             qPrintable(results[10].toString()));
    QCOMPARE(out[QStringLiteral("hidden")][QStringLiteral("error")][QStringLiteral("code")].toInt(), -32602);
    const QJsonArray tools = out[QStringLiteral("tools")].toArray();
    QCOMPARE(tools.size(), 28);
    QVERIFY(!tools.contains(QStringLiteral("delete_agent_schedule")));
    QVERIFY(!tools.contains(QStringLiteral("delete_agent_run")));
}

// The class a starter policy gives each tool, read back from the policy itself.
static QMap<QString, QString> classesIn(const QJsonObject& policy)
{
    QMap<QString, QString> out;
    for (const QJsonValue& h : policy[QStringLiteral("hide")].toArray())
        out.insert(h.toString(), QStringLiteral("Destructive"));
    const QJsonObject tools = policy[QStringLiteral("tools")].toObject();
    for (auto it = tools.begin(); it != tools.end(); ++it) {
        const QJsonObject t = it.value().toObject();
        const int max = t[QStringLiteral("limits")][0][QStringLiteral("max")].toInt();
        out.insert(it.key(), t[QStringLiteral("action")].toString() == u"approve"
                                 ? QStringLiteral("Financial")
                             : max == 30 ? QStringLiteral("Write")
                             : max == 10 ? QStringLiteral("Execute")
                                         : QStringLiteral("Read"));
    }
    return out;
}

void TestSandboxE2E::scanGuessesTheCatalogueClasses()
{
    const QString file = scratch(QStringLiteral("scan.json"));
    const CommandRun scan = runGatehouse({QStringLiteral("scan"), QStringLiteral("--output"), file,
                                          QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")});
    QCOMPARE(scan.exitCode, 0);
    QVERIFY(scan.out.contains(u"30 tools; starter policy written to"));
    QCOMPARE(runGatehouse({QStringLiteral("check"), file}).out, QStringLiteral("valid\n"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject policy = QJsonDocument::fromJson(f.readAll()).object();
    QVERIFY(policy[QStringLiteral("description")].toString().contains(u"GUESSES; review each"));
    const QMap<QString, QString> guessed = classesIn(policy);
    QFile catalogue(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"));
    QVERIFY(catalogue.open(QIODevice::ReadOnly));
    int agree = 0;
    for (const QJsonValue& t :
         QJsonDocument::fromJson(catalogue.readAll())[QStringLiteral("tools")].toArray()) {
        const QString name = t[QStringLiteral("name")].toString();
        QCOMPARE(guessed.value(name) + u' ' + name, t[QStringLiteral("category")].toString() + u' ' + name);
        ++agree;
    }
    QCOMPARE(agree, 30);
}

void TestSandboxE2E::scanAnyServer()
{
    const QString file = scratch(QStringLiteral("scan.json"));
    const CommandRun scan = runGatehouse({QStringLiteral("scan"), QStringLiteral("--output"), file,
                                          QStringLiteral("--"), Node, everything(), QStringLiteral("stdio")});
    QCOMPARE(scan.exitCode, 0);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject policy = QJsonDocument::fromJson(f.readAll()).object();
    const QMap<QString, QString> guessed = classesIn(policy);
    QCOMPARE(guessed.value(QStringLiteral("echo")), QStringLiteral("Read"));    // annotated readOnlyHint
    QCOMPARE(guessed.value(QStringLiteral("get-sum")), QStringLiteral("Read")); // get
    QCOMPARE(guessed.value(QStringLiteral("toggle-simulated-logging")), QStringLiteral("Write"));
    QCOMPARE(guessed.value(QStringLiteral("trigger-sampling-request")), QStringLiteral("Execute"));
    QVERIFY(guessed.size() >= 13);
}

QTEST_GUILESS_MAIN(TestSandboxE2E)
#include "tst_sandbox_e2e.moc"
