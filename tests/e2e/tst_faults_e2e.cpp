// SPDX-License-Identifier: GPL-3.0-or-later
// Faults, with the real proxy: an upstream that crashes or hangs mid-call, and an audit log that can no
// longer be written. Nothing is lost, nobody waits forever, and what cannot be recorded is not served.
#include "E2eSupport.h"

#include <QFile>
#include <QJsonArray>
#include <sys/resource.h>

using namespace e2e;

namespace {
QStringList faultServer()
{
    return {QStringLiteral("--"), Node, E2eDir + QStringLiteral("/fault-server.mjs")};
}
// Our own sandbox: unlike node, it writes no files, so a file-size limit touches only the audit log.
QStringList sandbox()
{
    return {QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")};
}
bool answeredOk(const QJsonObject& r)
{
    return r.contains(QStringLiteral("result")) &&
           !r[QStringLiteral("result")][QStringLiteral("isError")].toBool();
}
QString faultPolicy()
{
    return E2eDir + QStringLiteral("/policy-faults.json");
}
QString text(const QJsonObject& response)
{
    return response[QStringLiteral("result")][QStringLiteral("content")][0][QStringLiteral("text")]
        .toString();
}
QString errorMessage(const QJsonObject& response)
{
    return response[QStringLiteral("error")][QStringLiteral("message")].toString();
}
} // namespace

class TestFaultsE2E : public QObject
{
    Q_OBJECT
private slots:
    // Its policy counts calls per day: no run may straddle midnight UTC.
    void initTestCase() { waitForWindowRoom(86400, 600); }
    void upstreamCrashMidCall()
    {
        ProxyProcess proxy;
        QVERIFY2(proxy.start(faultServer(), {}, faultPolicy()), qPrintable(proxy.log()));
        McpClient a(proxy.port());
        McpClient b(proxy.port());
        QVERIFY(a.initialize());
        QVERIFY(b.initialize());
        QCOMPARE(
            text(b.call(QStringLiteral("echo"), {{QStringLiteral("message"), QStringLiteral("before")}})),
            QStringLiteral("before"));

        QElapsedTimer t;
        t.start();
        const QJsonObject crashed = a.call(QStringLiteral("crash"), {});
        // A prompt JSON-RPC error, not a hang until the upstream timeout.
        QVERIFY2(crashed.contains(QStringLiteral("error")), QJsonDocument(crashed).toJson().constData());
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        qInfo("crash mid-call: the client had its error after %lld ms: %s", t.elapsed(),
              qPrintable(errorMessage(crashed)));

        // The child is restarted with back-off and everyone carries on.
        QVERIFY(
            proxy.waitForLog(QRegularExpression(QStringLiteral("fault-server started")), 15'000, nullptr, 2));
        QTRY_COMPARE_WITH_TIMEOUT(
            text(b.call(QStringLiteral("echo"), {{QStringLiteral("message"), QStringLiteral("after")}})),
            QStringLiteral("after"), 15'000);
        QCOMPARE(text(a.call(QStringLiteral("echo"), {{QStringLiteral("message"), QStringLiteral("a too")}})),
                 QStringLiteral("a too"));
        // The crashed call never completed: its quota (one a day) was given back, so crash is not limited.
        const QJsonObject again = a.call(QStringLiteral("crash"), {});
        QVERIFY2(!text(again).contains(QStringLiteral("Rate limit")),
                 QJsonDocument(again).toJson().constData());
        QVERIFY(again.contains(QStringLiteral("error")));
    }

    void upstreamHangTimesOutAndIsCancelledUpstream()
    {
        ProxyProcess proxy;
        QVERIFY2(proxy.start(faultServer(), {QStringLiteral("--upstream-timeout"), QStringLiteral("2")},
                             faultPolicy()),
                 qPrintable(proxy.log()));
        McpClient a(proxy.port());
        McpClient b(proxy.port());
        QVERIFY(a.initialize());
        QVERIFY(b.initialize());
        QElapsedTimer t;
        t.start();
        const QJsonObject hung = a.call(QStringLiteral("hang"), {});
        const qint64 waited = t.elapsed();
        QVERIFY2(hung.contains(QStringLiteral("error")), QJsonDocument(hung).toJson().constData());
        QVERIFY2(waited >= 1900 && waited < 6000, qPrintable(QString::number(waited)));
        QVERIFY2(errorMessage(hung).contains(QStringLiteral("did not answer tools/call within 2 s")),
                 qPrintable(errorMessage(hung)));
        // The upstream was told to stop working on it, and the others never noticed.
        QVERIFY2(proxy.waitForLog(QRegularExpression(QStringLiteral("fault-server: hang cancelled")), 5000),
                 qPrintable(proxy.log()));
        QCOMPARE(text(b.call(QStringLiteral("echo"), {{QStringLiteral("message"), QStringLiteral("fine")}})),
                 QStringLiteral("fine"));
        qInfo("hung upstream call: error after %lld ms (timeout 2 s)", waited);
    }

    void aPolicyEditedIntoNonsenseKeepsTheLastGoodOne()
    {
        const QString policy = scratch(QStringLiteral("live-policy.json"));
        auto write = [&policy](const QByteArray& text) {
            QFile f(policy);
            return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
        };
        QVERIFY(write(R"({"version": "1", "default": "allow"})"));
        ProxyProcess proxy;
        QVERIFY2(proxy.start(sandbox(), {}, policy), qPrintable(proxy.log()));
        McpClient client(proxy.port());
        QVERIFY(client.initialize());
        QVERIFY(answeredOk(client.call(QStringLiteral("get_usage"), {})));

        // Half an edit, saved: not JSON at all.
        QVERIFY(write(R"({"version": "1", "default": "deny", "tools": {"get_usage": )"));
        QVERIFY(proxy.waitForLog(
            QRegularExpression(QStringLiteral("is invalid; keeping the last good policy")), 5000));
        QVERIFY2(proxy.log().contains(QStringLiteral("(1:")), qPrintable(proxy.log())); // where, line:column
        QVERIFY(answeredOk(client.call(QStringLiteral("get_usage"), {}))); // still the old, allowing policy

        // JSON, but not a policy: the same.
        QVERIFY(write(R"({"version": "1", "default": "maybe"})"));
        QVERIFY(proxy.waitForLog(QRegularExpression(QStringLiteral("/default")), 5000));
        QVERIFY(answeredOk(client.call(QStringLiteral("get_usage"), {})));

        // Finished and valid: it applies, to the same session.
        QVERIFY(write(R"({"version": "1", "default": "deny"})"));
        QVERIFY(proxy.waitForLog(QRegularExpression(QStringLiteral("policy loaded from")), 5000, nullptr, 2));
        const QJsonObject denied = client.call(QStringLiteral("get_usage"), {});
        QVERIFY2(text(denied).contains(QStringLiteral("Denied by policy")),
                 QJsonDocument(denied).toJson().constData());
    }

    void auditDiskFullFailsClosedWithoutCrashing()
    {
        // The proxy may write at most 256 KiB per file (ulimit -f): the audit log fills up mid-traffic.
        const QString db = scratch(QStringLiteral("full.sqlite"));
        ProxyProcess proxy;
        proxy.process().setChildProcessModifier([] {
            const rlimit limit{256 * 1024, RLIM_INFINITY}; // soft: can be raised again
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        QVERIFY2(proxy.start(sandbox(), {QStringLiteral("--audit"), db}, faultPolicy()),
                 qPrintable(proxy.log()));
        McpClient client(proxy.port());
        QVERIFY(client.initialize());
        int answered = 0;
        QJsonObject refusal;
        for (int i = 0; i < 20'000 && refusal.isEmpty(); ++i) {
            const QJsonObject r = client.call(QStringLiteral("get_usage"), {});
            if (answeredOk(r))
                ++answered;
            else
                refusal = r;
        }
        QVERIFY2(!refusal.isEmpty(), "the audit log never filled up");
        // The call whose row could not be written gets a clear error, not its answer.
        QVERIFY2(errorMessage(refusal).contains(QStringLiteral("audit log")),
                 QJsonDocument(refusal).toJson().constData());
        // Later calls are refused up front with the reason, and the proxy is alive and answering.
        const QJsonObject next = client.call(QStringLiteral("get_usage"), {});
        QVERIFY2(text(next).contains(QStringLiteral("cannot write its audit log")),
                 QJsonDocument(next).toJson().constData());
        QCOMPARE(next[QStringLiteral("result")][QStringLiteral("isError")].toBool(), true);
        QCOMPARE(proxy.process().state(), QProcess::Running);
        QVERIFY(proxy.waitForLog(QRegularExpression(QStringLiteral("AUDIT LOG WRITE FAILED")), 5000));
        // Room again (as if the disk were cleaned up): the next write succeeds and calls are served.
        const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
        QCOMPARE(::prlimit(pid_t(proxy.process().processId()), RLIMIT_FSIZE, &unlimited, nullptr), 0);
        QJsonObject served;
        for (int i = 0; i < 5 && !answeredOk(served); ++i)
            served = client.call(QStringLiteral("get_usage"), {});
        QVERIFY2(answeredOk(served), QJsonDocument(served).toJson().constData());
        QVERIFY(proxy.waitForLog(QRegularExpression(QStringLiteral("audit log writable again")), 5000));
        proxy.process().terminate();
        QVERIFY(proxy.process().waitForFinished(10'000));
        // Everything that was answered is on record, and the chain verifies.
        const CommandRun verify =
            runGatehouse({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"), db});
        QVERIFY2(verify.exitCode == 0, qPrintable(verify.out));
        const qint64 rows = verify.out.section(u' ', 1, 1).toLongLong();
        QVERIFY2(rows >= answered + 1, qPrintable(verify.out));
        qInfo("audit log full after %d answered calls: the next got an error, later ones were refused; %s",
              answered, qPrintable(verify.out.trimmed()));
    }

    void auditFailureCanBeToldToContinue()
    {
        const QString db = scratch(QStringLiteral("full-continue.sqlite"));
        ProxyProcess proxy;
        proxy.process().setChildProcessModifier([] {
            const rlimit limit{256 * 1024, RLIM_INFINITY}; // soft: can be raised again
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        QVERIFY2(proxy.start(sandbox(),
                             {QStringLiteral("--audit"), db, QStringLiteral("--audit-failure"),
                              QStringLiteral("continue")},
                             faultPolicy()),
                 qPrintable(proxy.log()));
        McpClient client(proxy.port());
        QVERIFY(client.initialize());
        for (int i = 0; i < 200; ++i) {
            const QJsonObject r = client.call(QStringLiteral("get_usage"), {});
            QVERIFY2(answeredOk(r), QJsonDocument(r).toJson().left(400).constData());
        }
        QVERIFY(proxy.waitForLog(QRegularExpression(QStringLiteral("continuing unrecorded")), 5000));
    }
};

QTEST_GUILESS_MAIN(TestFaultsE2E)
#include "tst_faults_e2e.moc"
