// SPDX-License-Identifier: GPL-3.0-or-later
// The audit log end to end: every answered call is on record even when the proxy is killed with
// SIGKILL mid-traffic, and `gatehouse audit verify` catches an edited row.
#include "E2eSupport.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <csignal>

using namespace e2e;

namespace {

QString sha256OfArguments(const QString& message)
{
    // The canonical JSON of {"message": …}: one key, no white space.
    const QByteArray canonical =
        QJsonDocument(QJsonObject{{QStringLiteral("message"), message}}).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(canonical, QCryptographicHash::Sha256).toHex());
}

using Run = CommandRun;

Run gatehouse(const QStringList& args)
{
    return runGatehouse(args);
}

// Runs the client's "policy" scenario (6 calls: hidden, denied, 3 allowed, 1 limited) through a proxy
// that audits into `db`.
bool recordPolicyScenario(const QString& db)
{
    ProxyProcess proxy;
    if (!proxy.start(stdioUpstream(), {QStringLiteral("--audit"), db}))
        return false;
    QProcess client;
    client.setWorkingDirectory(E2eDir);
    client.start(Node,
                 {E2eDir + QStringLiteral("/client.mjs"), QStringLiteral("policy"), QStringLiteral("--http"),
                  proxy.url(), QStringLiteral("--token"), ProxyProcess::token()});
    return client.waitForFinished(60'000) && client.exitCode() == 0;
}

} // namespace

class TestAuditE2E : public QObject
{
    Q_OBJECT
private slots:
    void everyAnsweredCallSurvivesSigkill();
    void verifyCatchesAnEditedRow();
    void exportFilters();
};

void TestAuditE2E::everyAnsweredCallSurvivesSigkill()
{
    const QString db = scratch(QStringLiteral("audit.sqlite"));
    ProxyProcess proxy;
    QVERIFY2(proxy.start(stdioUpstream(), {QStringLiteral("--audit"), db},
                         E2eDir + QStringLiteral("/policy-allow-all.json")),
             qPrintable(proxy.log()));
    QProcess client;
    client.setWorkingDirectory(E2eDir);
    client.start(Node,
                 {E2eDir + QStringLiteral("/client.mjs"), QStringLiteral("stream"), QStringLiteral("--http"),
                  proxy.url(), QStringLiteral("--token"), ProxyProcess::token()});
    QByteArray received;
    QElapsedTimer t;
    t.start();
    while (received.count("got ") < 300 && t.elapsed() < 60'000) {
        client.waitForReadyRead(200);
        received += client.readAllStandardOutput();
    }
    QVERIFY2(received.count("got ") >= 300, received.right(200).constData());
    // Mid-traffic, without warning.
    QCOMPARE(::kill(pid_t(proxy.process().processId()), SIGKILL), 0);
    QVERIFY(proxy.process().waitForFinished(10'000));
    client.waitForFinished(30'000);
    received += client.readAllStandardOutput();

    QSet<QString> answered;
    for (const QByteArray& line : received.split('\n'))
        if (line.startsWith("got "))
            answered.insert(sha256OfArguments(QString::fromUtf8(line.mid(4))));
    QVERIFY(answered.size() >= 300);

    QSet<QString> audited;
    {
        QSqlDatabase sql = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        sql.setDatabaseName(db);
        QVERIFY(sql.open());
        QSqlQuery q(sql);
        QVERIFY(q.exec(QStringLiteral(
            "SELECT arguments_sha256 FROM calls WHERE tool = 'echo' AND outcome = 'answered'")));
        while (q.next())
            audited.insert(q.value(0).toString());
        // Who called: the SDK client's clientInfo, as it introduced itself in initialize.
        QVERIFY(q.exec(QStringLiteral("SELECT DISTINCT client FROM calls WHERE tool = 'echo'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("gatehouse-e2e 1.0.0"));
        QVERIFY(!q.next());
        sql.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    const QSet<QString> missing = answered - audited;
    QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("%1 of %2 answered calls are not in the audit log")
                                               .arg(missing.size())
                                               .arg(answered.size())));
    qInfo("%lld calls answered before the SIGKILL, all %lld in the audit log (%lld rows)",
          qlonglong(answered.size()), qlonglong(answered.size()), qlonglong(audited.size()));
    const Run verify =
        gatehouse({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"), db});
    QCOMPARE(verify.exitCode, 0);
    QVERIFY(verify.out.startsWith(u"intact: "));
}

void TestAuditE2E::verifyCatchesAnEditedRow()
{
    const QString db = scratch(QStringLiteral("audit.sqlite"));
    QVERIFY(recordPolicyScenario(db));
    const Run before =
        gatehouse({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"), db});
    QCOMPARE(before.exitCode, 0);
    QCOMPARE(before.out, QStringLiteral("intact: 6 rows, hash chain verified\n"));
    {
        // Someone turns a refusal into an allowed call after the fact.
        QSqlDatabase sql = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("edit"));
        sql.setDatabaseName(db);
        QVERIFY(sql.open());
        QSqlQuery q(sql);
        QVERIFY(q.exec(QStringLiteral("UPDATE calls SET verdict = 'allowed' WHERE seq = 2")));
        sql.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("edit"));
    const Run after =
        gatehouse({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"), db});
    QCOMPARE(after.exitCode, 1);
    QVERIFY2(after.out.startsWith(u"broken at row 2: its content does not match its hash (edited)"),
             qPrintable(after.out));
}

void TestAuditE2E::exportFilters()
{
    const QString db = scratch(QStringLiteral("audit.sqlite"));
    QVERIFY(recordPolicyScenario(db));
    const Run jsonl =
        gatehouse({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                   QStringLiteral("jsonl"), QStringLiteral("--tool"), QStringLiteral("echo"),
                   QStringLiteral("--db"), db});
    QCOMPARE(jsonl.exitCode, 0);
    const QStringList lines = jsonl.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4); // three allowed, one limited
    const QJsonObject last = QJsonDocument::fromJson(lines.last().toUtf8()).object();
    QCOMPARE(last[QStringLiteral("verdict")].toString(), QStringLiteral("limited"));
    QCOMPARE(last[QStringLiteral("rule")].toString(), QStringLiteral("/tools/echo/limits/0"));
    QVERIFY(last[QStringLiteral("arguments")].isNull()); // redacted by default
    QCOMPARE(last[QStringLiteral("argument_keys")].toArray().first().toString(), QStringLiteral("message"));
    const Run csv = gatehouse({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                               QStringLiteral("csv"), QStringLiteral("--tool"), QStringLiteral("get-env"),
                               QStringLiteral("--db"), db});
    const QStringList rows = csv.out.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 2);
    QVERIFY(rows.first().startsWith(u"seq,time,request_id,grant_label,server,session,method,tool"));
    QVERIFY(rows.last().contains(u",hidden,(hidden),"));
    const Run future =
        gatehouse({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--since"),
                   QStringLiteral("2999-01-01T00:00:00Z"), QStringLiteral("--db"), db});
    QCOMPARE(future.exitCode, 0);
    QVERIFY(future.out.trimmed().isEmpty());
}

QTEST_GUILESS_MAIN(TestAuditE2E)
#include "tst_audit_e2e.moc"
