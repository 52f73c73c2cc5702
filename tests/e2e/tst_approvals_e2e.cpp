// SPDX-License-Identifier: GPL-3.0-or-later
// Approvals end to end: the SDK client calls through the real proxy, a "person" answers with
// `gatehouse approvals` through the admin API, and the client sees the outcome.
#include "E2eSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace e2e;

namespace {

const QByteArray Policy = R"({
  "version": "1",
  "default": "allow",
  "approval": {"timeout_seconds": 20},
  "tools": {
    "echo": {"action": "approve"},
    "get-sum": {"approve_if": [{"conditions": [{"path": "args.a", "op": "gt", "value": 100}], "name": "big sums"}]}
  }
}
)";

} // namespace

class TestApprovalsE2E : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void approveOnce();
    void denyWithNote();
    void allowForSession();
    void alwaysAllowWritesThePolicy();
    void alwaysDenyWritesThePolicy();
    void approveIfOnlyAsksWhenItMatches();
    void identicalRetriesShareOneApproval();
    void timeoutDenies();
    void cancelKeepsTheApprovalForTheRetry();
    void disconnectWithdrawsWhenThePolicySaysSo();
    void terminalPrompt();
    void approvalOutlivesTheClientTimeoutAndARestart();

private:
    QProcess* startClient(const QString& tool, const QByteArray& args, int times = 1,
                          const QString& scenario = QStringLiteral("callTool"), int abortMs = 0);
    QJsonObject finish(QProcess* client);
    QStringList waitForPending(int count = 1, int ms = 15'000);
    int cli(const QStringList& args, QString* out = nullptr);
    void writePolicy(const QByteArray& text);

    QTemporaryDir* m_dir = nullptr;
    ProxyProcess* m_proxy = nullptr;
    QString m_adminFile;
    QString m_policyFile;
    QString m_audit;
    QJsonObject lastAuditRow();
};

void TestApprovalsE2E::writePolicy(const QByteArray& text)
{
    QFile f(m_policyFile);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

void TestApprovalsE2E::init()
{
    m_dir = new QTemporaryDir;
    m_policyFile = m_dir->filePath(QStringLiteral("policy.json"));
    m_adminFile = m_dir->filePath(QStringLiteral("admin.json"));
    m_audit = m_dir->filePath(QStringLiteral("audit.sqlite"));
    writePolicy(Policy);
    m_proxy = new ProxyProcess;
    QVERIFY2(m_proxy->start(stdioUpstream(),
                            {QStringLiteral("--admin-file"), m_adminFile, QStringLiteral("--audit"), m_audit},
                            m_policyFile),
             qPrintable(m_proxy->log()));
}

void TestApprovalsE2E::cleanup()
{
    delete m_proxy;
    delete m_dir;
}

QProcess* TestApprovalsE2E::startClient(const QString& tool, const QByteArray& args, int times,
                                        const QString& scenario, int abortMs)
{
    auto* p = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_TOOL"), tool);
    env.insert(QStringLiteral("E2E_ARGS"), QString::fromUtf8(args));
    env.insert(QStringLiteral("E2E_TIMES"), QString::number(times));
    env.insert(QStringLiteral("E2E_ABORT_MS"), QString::number(abortMs));
    p->setProcessEnvironment(env);
    p->setWorkingDirectory(E2eDir);
    p->start(Node, {E2eDir + QStringLiteral("/client.mjs"), scenario, QStringLiteral("--http"),
                    m_proxy->url(), QStringLiteral("--token"), ProxyProcess::token()});
    return p;
}

QJsonObject TestApprovalsE2E::finish(QProcess* client)
{
    client->waitForFinished(90'000);
    const QList<QByteArray> lines = client->readAllStandardOutput().trimmed().split('\n');
    client->deleteLater();
    return QJsonDocument::fromJson(lines.last()).object();
}

int TestApprovalsE2E::cli(const QStringList& args, QString* out)
{
    QProcess p;
    p.start(Gatehouse, QStringList{QStringLiteral("approvals")} + args +
                           QStringList{QStringLiteral("--admin-file"), m_adminFile});
    p.waitForFinished(20'000);
    if (out)
        *out = QString::fromUtf8(p.readAllStandardOutput());
    return p.exitCode();
}

// The ids of the calls waiting, once there are `count` of them.
QStringList TestApprovalsE2E::waitForPending(int count, int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        QString out;
        cli({QStringLiteral("list")}, &out);
        QStringList ids;
        for (const QString& line : out.split(u'\n', Qt::SkipEmptyParts))
            if (!line.startsWith(u"no calls") && !line.startsWith(u' ')) // "    page: LINK" under each
                ids << line.section(u' ', 0, 0);
        if (ids.size() >= count)
            return ids;
        QTest::qWait(100);
    }
    return {};
}

QJsonObject TestApprovalsE2E::lastAuditRow()
{
    QTest::qWait(300); // the row is committed before the answer; the export reads it from another process
    const CommandRun run =
        runGatehouse({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--db"), m_audit});
    const QStringList rows = run.out.split(u'\n', Qt::SkipEmptyParts);
    return rows.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(rows.last().toUtf8()).object();
}

static QString text(const QJsonValue& outcome)
{
    return outcome[QStringLiteral("result")][QStringLiteral("content")][0][QStringLiteral("text")].toString();
}

void TestApprovalsE2E::approveOnce()
{
    QProcess* client = startClient(QStringLiteral("echo"), R"({"message":"may I?"})");
    const QStringList ids = waitForPending();
    QCOMPARE(ids.size(), 1);
    QString out;
    QCOMPARE(
        cli({QStringLiteral("approve"), ids.first(), QStringLiteral("--note"), QStringLiteral("fine by me")},
            &out),
        0);
    const QJsonObject result = finish(client)[QStringLiteral("results")][0].toObject();
    QCOMPARE(text(result), QStringLiteral("Echo: may I?"));
    // While it waited, progress kept the client's timeout at bay.
    QVERIFY(result[QStringLiteral("progress")].toArray().size() >= 1);
    QCOMPARE(result[QStringLiteral("progress")][0][QStringLiteral("message")].toString(),
             QStringLiteral("Waiting for approval in Gatehouse…"));
    QVERIFY(m_proxy->waitForLog(
        QRegularExpression(QStringLiteral("approval \\w+ allowed by admin-api: fine by me")), 5000));
    const QJsonObject row = lastAuditRow();
    QCOMPARE(row[QStringLiteral("approver")].toString(), QStringLiteral("admin-api"));
    QCOMPARE(row[QStringLiteral("approval_note")].toString(), QStringLiteral("fine by me"));
    QCOMPARE(row[QStringLiteral("rule")].toString(), QStringLiteral("/tools/echo/action"));
    QCOMPARE(row[QStringLiteral("outcome")].toString(), QStringLiteral("answered"));
    // Used once: nothing is pending, and the same id cannot be answered again.
    QCOMPARE(cli({QStringLiteral("approve"), ids.first()}), 1);
}

void TestApprovalsE2E::denyWithNote()
{
    QProcess* client = startClient(QStringLiteral("echo"), R"({"message":"rm -rf"})");
    const QStringList ids = waitForPending();
    QCOMPARE(
        cli({QStringLiteral("deny"), ids.first(), QStringLiteral("--note"), QStringLiteral("not today")}), 0);
    const QJsonObject result = finish(client)[QStringLiteral("results")][0].toObject();
    QCOMPARE(result[QStringLiteral("result")][QStringLiteral("isError")].toBool(), true);
    QVERIFY2(QRegularExpression(QStringLiteral("^Denied by policy: echo was rejected by a person \\(approval "
                                               "\\w{6}\\): not today$"))
                 .match(text(result))
                 .hasMatch(),
             qPrintable(text(result)));
    QVERIFY(
        m_proxy->waitForLog(QRegularExpression(QStringLiteral(
                                "echo denied \\(rejected by admin-api\\)|approval \\w+ denied by admin-api")),
                            5000));
}

void TestApprovalsE2E::allowForSession()
{
    QProcess* client = startClient(QStringLiteral("echo"), R"({"message":"one"})", 3);
    const QStringList ids = waitForPending();
    QCOMPARE(cli({QStringLiteral("approve"), ids.first(), QStringLiteral("--session")}), 0);
    const QJsonArray results = finish(client)[QStringLiteral("results")].toArray();
    QCOMPARE(results.size(), 3);
    for (const QJsonValue& r : results)
        QCOMPARE(text(r), QStringLiteral("Echo: one"));
    // Only the first call asked; a new session would ask again.
    // The proxy's log reaches us asynchronously: wait for the line, then make sure no second one follows.
    QVERIFY(m_proxy->waitForLog(QRegularExpression(QStringLiteral("needed: default echo")), 5000));
    QTest::qWait(200);
    QCOMPARE(m_proxy->log().count(QStringLiteral("needed: default echo")), 1);
    QProcess* other = startClient(QStringLiteral("echo"), R"({"message":"two"})");
    const QStringList again = waitForPending();
    QCOMPARE(again.size(), 1);
    QCOMPARE(cli({QStringLiteral("deny"), again.first()}), 0);
    QCOMPARE(finish(other)[QStringLiteral("results")][0][QStringLiteral("result")][QStringLiteral("isError")]
                 .toBool(),
             true);
}

void TestApprovalsE2E::alwaysAllowWritesThePolicy()
{
    QProcess* client = startClient(QStringLiteral("echo"), R"({"message":"forever"})", 2);
    const QStringList ids = waitForPending();
    QCOMPARE(cli({QStringLiteral("approve"), ids.first(), QStringLiteral("--always")}), 0);
    const QJsonArray results = finish(client)[QStringLiteral("results")].toArray();
    QCOMPARE(text(results[0]), QStringLiteral("Echo: forever"));
    QCOMPARE(text(results[1]), QStringLiteral("Echo: forever"));
    // The proxy's log reaches us asynchronously: wait for the line, then make sure no second one follows.
    QVERIFY(m_proxy->waitForLog(QRegularExpression(QStringLiteral("needed: default echo")), 5000));
    QTest::qWait(200);
    QCOMPARE(m_proxy->log().count(QStringLiteral("needed: default echo")), 1);
    // The file on disk says so now, and is a valid policy.
    QFile f(m_policyFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject saved = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(saved[QStringLiteral("tools")][QStringLiteral("echo")][QStringLiteral("action")].toString(),
             QStringLiteral("allow"));
    QProcess check;
    check.start(Gatehouse, {QStringLiteral("check"), m_policyFile});
    check.waitForFinished();
    QCOMPARE(check.exitCode(), 0);
}

void TestApprovalsE2E::alwaysDenyWritesThePolicy()
{
    QProcess* client = startClient(QStringLiteral("echo"), R"({"message":"never"})", 2);
    const QStringList ids = waitForPending();
    QCOMPARE(cli({QStringLiteral("deny"), ids.first(), QStringLiteral("--always")}), 0);
    const QJsonArray results = finish(client)[QStringLiteral("results")].toArray();
    QVERIFY(text(results[0]).startsWith(u"Denied by policy: echo was rejected by a person"));
    QCOMPARE(text(results[1]),
             QStringLiteral("Denied by policy: echo is not allowed")); // now a rule, no asking
    QFile f(m_policyFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(
                 f.readAll())[QStringLiteral("tools")][QStringLiteral("echo")][QStringLiteral("action")]
                 .toString(),
             QStringLiteral("deny"));
}

void TestApprovalsE2E::approveIfOnlyAsksWhenItMatches()
{
    const QJsonObject small = finish(startClient(QStringLiteral("get-sum"), R"({"a":1,"b":2})"));
    QCOMPARE(text(small[QStringLiteral("results")][0]), QStringLiteral("The sum of 1 and 2 is 3."));
    QProcess* client = startClient(QStringLiteral("get-sum"), R"({"a":500,"b":2})");
    const QStringList ids = waitForPending();
    QCOMPARE(ids.size(), 1);
    QString list;
    cli({QStringLiteral("list")}, &list);
    QVERIFY2(list.contains(u"/tools/get-sum/approve_if/0"), qPrintable(list));
    QCOMPARE(cli({QStringLiteral("approve"), ids.first()}), 0);
    QCOMPARE(text(finish(client)[QStringLiteral("results")][0]),
             QStringLiteral("The sum of 500 and 2 is 502."));
}

void TestApprovalsE2E::identicalRetriesShareOneApproval()
{
    // The same grant, tool and arguments twice at once (an agent that retries): one question, and an
    // allowance runs one call; the other is asked about again.
    QProcess* first = startClient(QStringLiteral("echo"), R"({"message":"same"})");
    QProcess* second = startClient(QStringLiteral("echo"), R"({"message":"same"})");
    QVERIFY(m_proxy->waitForLog(QRegularExpression(QStringLiteral("needs-approval")), 10'000, nullptr, 2));
    QTest::qWait(300);
    QStringList ids = waitForPending();
    QCOMPARE(ids.size(), 1); // one question for both
    QCOMPARE(cli({QStringLiteral("approve"), ids.first()}), 0);
    QVERIFY(
        m_proxy->waitForLog(QRegularExpression(QStringLiteral("approval \\w+ needed")), 10'000, nullptr, 2));
    const QStringList again = waitForPending();
    QCOMPARE(again.size(), 1);
    QVERIFY(again.first() != ids.first());
    QCOMPARE(cli({QStringLiteral("approve"), again.first()}), 0);
    QCOMPARE(text(finish(first)[QStringLiteral("results")][0]), QStringLiteral("Echo: same"));
    QCOMPARE(text(finish(second)[QStringLiteral("results")][0]), QStringLiteral("Echo: same"));
}

void TestApprovalsE2E::timeoutDenies()
{
    QByteArray quick = Policy;
    quick.replace("\"timeout_seconds\": 20", "\"timeout_seconds\": 2");
    writePolicy(quick);
    QVERIFY(m_proxy->waitForLog(QRegularExpression(QStringLiteral("policy loaded")), 5000, nullptr, 2));
    const QJsonObject result =
        finish(startClient(QStringLiteral("echo"), R"({"message":"anyone?"})"))[QStringLiteral("results")][0]
            .toObject();
    QVERIFY2(
        QRegularExpression(QStringLiteral("^Denied by policy: echo needed approval and no one answered in "
                                          "time \\(approval \\w{6}\\)$"))
            .match(text(result))
            .hasMatch(),
        qPrintable(text(result)));
    QVERIFY(result[QStringLiteral("ms")].toInt() >= 1900);
    QVERIFY(m_proxy->waitForLog(
        QRegularExpression(QStringLiteral("approval \\w+ timed out by \\(timeout\\)")), 5000));
    QCOMPARE(lastAuditRow()[QStringLiteral("rule")].toString(), QStringLiteral("(approval timeout)"));
}

void TestApprovalsE2E::cancelKeepsTheApprovalForTheRetry()
{
    QProcess* client =
        startClient(QStringLiteral("echo"), R"({"message":"later"})", 1, QStringLiteral("abortCall"), 1500);
    const QStringList ids = waitForPending();
    QCOMPARE(ids.size(), 1);
    const QJsonObject out = finish(client);
    QVERIFY(out[QStringLiteral("aborted")].toObject().contains(u"error"));
    const QJsonObject row = lastAuditRow();
    QCOMPARE(row[QStringLiteral("outcome")].toString(), QStringLiteral("cancelled"));
    QCOMPARE(row[QStringLiteral("tool")].toString(), QStringLiteral("echo"));
    // The person still decides, after the agent gave up; the agent's next identical call runs, once.
    QString list;
    cli({QStringLiteral("list")}, &list);
    QVERIFY2(list.startsWith(ids.first()) && list.contains(u"agent not on the line"), qPrintable(list));
    QCOMPARE(cli({QStringLiteral("approve"), ids.first()}), 0);
    const QJsonObject retry = finish(startClient(QStringLiteral("echo"), R"({"message":"later"})"));
    QCOMPARE(text(retry[QStringLiteral("results")][0]), QStringLiteral("Echo: later"));
    QCOMPARE(lastAuditRow()[QStringLiteral("approver")].toString(), QStringLiteral("admin-api"));
    cli({QStringLiteral("list")}, &list);
    QCOMPARE(list.trimmed(), QStringLiteral("no calls are waiting for approval"));
}

void TestApprovalsE2E::disconnectWithdrawsWhenThePolicySaysSo()
{
    QByteArray withdrawing = Policy;
    withdrawing.replace("\"timeout_seconds\": 20", "\"timeout_seconds\": 20, \"on_cancel\": \"withdraw\"");
    writePolicy(withdrawing);
    QVERIFY(m_proxy->waitForLog(QRegularExpression(QStringLiteral("policy loaded")), 5000, nullptr, 2));
    QProcess* client = startClient(QStringLiteral("echo"), R"({})", 1, QStringLiteral("vanish"), 1500);
    QCOMPARE(waitForPending().size(), 1);
    finish(client);
    QVERIFY2(m_proxy->waitForLog(
                 QRegularExpression(QStringLiteral("approval \\w+ cancelled by \\(client gone\\)")), 5000),
             qPrintable(m_proxy->log()));
    QString list;
    cli({QStringLiteral("list")}, &list);
    QCOMPARE(list.trimmed(), QStringLiteral("no calls are waiting for approval"));
}

void TestApprovalsE2E::terminalPrompt()
{
    // `gatehouse serve` in a terminal asks there: run it under script(1), which gives it a pty.
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    QVERIFY2(!script.isEmpty(), "script(1) from util-linux is needed");
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    const QStringList serve{Gatehouse,
                            QStringLiteral("serve"),
                            QStringLiteral("--no-auth"),
                            QStringLiteral("--policy"),
                            m_policyFile,
                            QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:%1").arg(port),
                            QStringLiteral("--audit"),
                            scratch(QStringLiteral("audit.sqlite")),
                            QStringLiteral("--admin-file"),
                            scratch(QStringLiteral("admin.json")),
                            QStringLiteral("--"),
                            Node,
                            everything(),
                            QStringLiteral("stdio")};
    QStringList quoted;
    for (const QString& a : serve)
        quoted << QStringLiteral("'%1'").arg(a);
    QProcess tty;
    tty.start(script, {QStringLiteral("-qfec"), quoted.join(u' '), QStringLiteral("/dev/null")});
    QByteArray screen;
    auto waitFor = [&](const QByteArray& what) {
        QElapsedTimer t;
        t.start();
        while (!screen.contains(what) && t.elapsed() < 20'000) {
            tty.waitForReadyRead(100);
            screen += tty.readAll();
        }
        return screen.contains(what);
    };
    QVERIFY2(waitFor("listening on"), screen.constData());

    auto* client = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_TOOL"), QStringLiteral("echo"));
    env.insert(QStringLiteral("E2E_ARGS"), QStringLiteral("{\"message\":\"asked on a terminal\"}"));
    client->setProcessEnvironment(env);
    client->setWorkingDirectory(E2eDir);
    client->start(Node, {E2eDir + QStringLiteral("/client.mjs"), QStringLiteral("callTool"),
                         QStringLiteral("--http"), QStringLiteral("http://127.0.0.1:%1/mcp").arg(port)});
    QVERIFY2(waitFor("[a]llow once / allow for [s]ession"), screen.constData());
    tty.write("a typed by a person\n");
    tty.waitForBytesWritten(2000);
    QCOMPARE(text(finish(client)[QStringLiteral("results")][0]), QStringLiteral("Echo: asked on a terminal"));
    QVERIFY2(waitFor("allowed by terminal: typed by a person"), screen.constData());
    tty.terminate();
    tty.waitForFinished(5000);
}

QTEST_GUILESS_MAIN(TestApprovalsE2E)
// The journey this is for: an agent on the official SDK at its default options (60 s per request), a
// person who answers after 75 s, and Gatehouse restarted (killed) while the call waits. The agent is
// told to call again before its timeout, the approval survives the restart under the same id, and the
// call runs exactly once when the agent comes back after the answer.
void TestApprovalsE2E::approvalOutlivesTheClientTimeoutAndARestart()
{
    QByteArray lasting = Policy;
    lasting.replace("\"timeout_seconds\": 20", "\"timeout_seconds\": 600");
    writePolicy(lasting);
    QVERIFY(m_proxy->waitForLog(QRegularExpression(QStringLiteral("policy loaded")), 5000, nullptr, 2));
    QElapsedTimer sinceCall;
    sinceCall.start();
    QProcess agent;
    agent.setWorkingDirectory(E2eDir);
    agent.start(Node,
                {E2eDir + QStringLiteral("/retrying-agent.mjs"), m_proxy->url(), ProxyProcess::token(),
                 QStringLiteral("echo"), QStringLiteral(R"({"message":"durable"})"), QStringLiteral("5")});
    const QStringList ids = waitForPending(1, 15'000);
    QCOMPARE(ids.size(), 1);
    QByteArray said;
    QElapsedTimer t;
    t.start();
    while (!said.contains("\"status\":\"pending\"") && t.elapsed() < 45'000) {
        agent.waitForReadyRead(500);
        said += agent.readAllStandardOutput();
    }
    QVERIFY2(said.contains("\"status\":\"pending\""), said.constData()); // told before the SDK's 60 s

    const QString port = QString::number(m_proxy->port());
    m_proxy->process().kill();
    m_proxy->process().waitForFinished(5000);
    delete m_proxy;
    m_proxy = new ProxyProcess;
    QVERIFY2(m_proxy->start(stdioUpstream(),
                            {QStringLiteral("--admin-file"), m_adminFile, QStringLiteral("--audit"), m_audit,
                             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:") + port},
                            m_policyFile),
             qPrintable(m_proxy->log()));
    QVERIFY2(m_proxy->waitForLog(
                 QRegularExpression(QStringLiteral("approvals: .* \\(1 pending from before\\)")), 5000),
             qPrintable(m_proxy->log()));
    QCOMPARE(waitForPending(), ids); // the same approval, under the same id

    while (sinceCall.elapsed() < 75'000)
        QTest::qWait(500);
    QCOMPARE(cli({QStringLiteral("approve"), ids.first()}), 0);
    QVERIFY(agent.waitForFinished(60'000));
    said += agent.readAllStandardOutput();
    const QList<QByteArray> lines = said.trimmed().split('\n');
    const QJsonObject final = QJsonDocument::fromJson(lines.last()).object();
    QVERIFY2(final.contains(u"final"), said.constData());
    QCOMPARE(text(QJsonObject{{QStringLiteral("result"), final[QStringLiteral("final")]}}),
             QStringLiteral("Echo: durable"));
    int attempts = 0;
    for (const QByteArray& line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.contains(u"attempt"))
            continue;
        ++attempts;
        QVERIFY2(o[QStringLiteral("ms")].toInt() < 60'000, line.constData()); // never the SDK's timeout
    }
    QVERIFY(attempts >= 3);

    QTest::qWait(300);
    const CommandRun run =
        runGatehouse({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--db"), m_audit});
    int ran = 0, deferred = 0;
    QStringList receipts;
    for (const QString& row : run.out.split(u'\n', Qt::SkipEmptyParts)) {
        const QJsonObject o = QJsonDocument::fromJson(row.toUtf8()).object();
        if (o[QStringLiteral("tool")].toString() != u"echo")
            continue;
        if (o[QStringLiteral("method")].toString() != u"tools/call") {
            receipts << o[QStringLiteral("method")].toString();
            continue;
        }
        ran += o[QStringLiteral("verdict")].toString() == u"allowed"; // sent upstream, however it ended
        deferred += o[QStringLiteral("outcome")].toString() == u"deferred";
    }
    QCOMPARE(ran, 1); // exactly once
    QVERIFY(deferred >= 1);
    // The request and the decision are in the hash chain too, once each, across the restart.
    QCOMPARE(receipts,
             (QStringList{QStringLiteral("approval/requested"), QStringLiteral("approval/decided")}));
    QCOMPARE(
        runGatehouse({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"), m_audit})
            .exitCode,
        0);

    // `audit show` tells the story: asked, told to call again, decided, run once, used.
    const CommandRun story = runGatehouse(
        {QStringLiteral("audit"), QStringLiteral("show"), ids.first(), QStringLiteral("--db"), m_audit});
    QCOMPARE(story.exitCode, 0);
    const QStringList lines2 = story.out.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines2.size() >= 6, qPrintable(story.out));
    QVERIFY(lines2[0].startsWith(QStringLiteral("approval ") + ids.first() + QStringLiteral("  echo on ")));
    QVERIFY2(story.out.contains(QStringLiteral("requested;")), qPrintable(story.out));
    QVERIFY(story.out.contains(QStringLiteral("ended needs-approval, deferred")));
    QVERIFY(story.out.contains(QStringLiteral("decided: allow-once by admin-api")));
    QVERIFY2(story.out.contains(
                 QStringLiteral("receipt: approval %1 requested; the approver is shown facts with sha256 ")
                     .arg(ids.first())),
             qPrintable(story.out));
    QVERIFY(story.out.contains(
        QStringLiteral("receipt: approval %1 decided: allow-once by admin-api").arg(ids.first())));
    QVERIFY(story.out.contains(
        QStringLiteral("ended allowed, answered — approved by admin-api (approval %1)").arg(ids.first())));
    QVERIFY(story.out.trimmed().endsWith(QStringLiteral("now: used")));
    QVERIFY(story.out.indexOf(u"requested;") < story.out.indexOf(u"decided:"));
}

#include "tst_approvals_e2e.moc"
