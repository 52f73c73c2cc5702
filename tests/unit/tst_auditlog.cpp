// SPDX-License-Identifier: GPL-3.0-or-later
#include "audit/AuditLog.h"
#include "audit/AuditReader.h"
#include "audit/AuditSchema.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace gatehouse;

namespace {

CallRecord record(int i, const QString& server = QStringLiteral("rolli"))
{
    CallRecord r;
    r.sequence = i;
    r.time = QDateTime::currentDateTimeUtc();
    r.server = server;
    r.session = QStringLiteral("s1");
    r.grant = QStringLiteral("alice-laptop");
    r.requestId = QString::number(i);
    r.tool = i % 2 ? QStringLiteral("rerun_agent_run") : QStringLiteral("get_agent_run");
    r.arguments = {{QStringLiteral("id"), i}, {QStringLiteral("secret"), QStringLiteral("token-%1").arg(i)}};
    r.verdict = Verdict::Allowed;
    r.outcome = CallRecord::Outcome::Answered;
    r.latencyMs = 1.25;
    r.resultBytes = 100 + i;
    return r;
}

// Writes n rows and waits until each is durable.
void write(AuditLog& log, int from, int n)
{
    int durable = 0;
    for (int i = from; i < from + n; ++i)
        log.append(record(i), [&durable](bool ok) { durable += ok ? 1 : 0; });
    log.flush();
    QTRY_COMPARE(durable, n);
}

void exec(const QString& path, const QString& sql)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(sql), qPrintable(sql));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
}

QVariant scalar(const QString& path, const QString& sql)
{
    QVariant v;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("read"));
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        if (q.exec(sql) && q.next())
            v = q.value(0);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("read"));
    return v;
}

} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("audit-%1.sqlite").arg(++m_n));
    }
    void writesAndVerifies();
    void redactsArgumentsUnlessOptedIn();
    void chainContinuesAcrossRestarts();
    void detectsAnEditedRow();
    void detectsARemovedRow();
    void detectsAForgedHash();
    void retentionKeepsTheChainVerifiable();
    void oneWriterPerFile();
    void anOlderLogGainsTheClientColumnAndStillVerifies();
    void aNewerLogIsLeftAloneAndSaysWhy();
    void theReaderPagesOneSnapshotNewestFirst();
    void aFileThatIsNoAuditLogSaysSo();

private:
    QTemporaryDir m_dir;
    QString m_path;
    int m_n = 0;
};

void TestAuditLog::writesAndVerifies()
{
    AuditLog log(m_path);
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    write(log, 1, 500);
    QCOMPARE(log.rowsWritten(), 500);
    QCOMPARE(scalar(m_path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    const AuditLog::Verification v = AuditLog::verify(m_path);
    QVERIFY2(v.intact, qPrintable(v.problem));
    QCOMPARE(v.rows, 500);
}

void TestAuditLog::redactsArgumentsUnlessOptedIn()
{
    AuditLog::Options options;
    options.fullArgumentServers = {QStringLiteral("open-server")};
    AuditLog log(m_path, options);
    QString error;
    QVERIFY(log.open(&error));
    int done = 0;
    log.append(record(1), [&](bool) { ++done; });
    log.append(record(2, QStringLiteral("open-server")), [&](bool) { ++done; });
    log.flush();
    QTRY_COMPARE(done, 2);
    QVERIFY(scalar(m_path, QStringLiteral("SELECT arguments FROM calls WHERE seq = 1")).isNull());
    QCOMPARE(scalar(m_path, QStringLiteral("SELECT argument_keys FROM calls WHERE seq = 1")).toString(),
             QStringLiteral("[\"id\",\"secret\"]"));
    QCOMPARE(
        scalar(m_path, QStringLiteral("SELECT arguments_sha256 FROM calls WHERE seq = 1")).toString().size(),
        64);
    QCOMPARE(
        scalar(m_path, QStringLiteral("SELECT count(*) FROM calls WHERE arguments LIKE '%token-1%'")).toInt(),
        0);
    QCOMPARE(scalar(m_path, QStringLiteral("SELECT arguments FROM calls WHERE seq = 2")).toString(),
             QStringLiteral("{\"id\":2,\"secret\":\"token-2\"}"));
    QVERIFY(AuditLog::verify(m_path).intact);
}

void TestAuditLog::chainContinuesAcrossRestarts()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 10);
    }
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 11, 10);
    }
    const AuditLog::Verification v = AuditLog::verify(m_path);
    QVERIFY2(v.intact, qPrintable(v.problem));
    QCOMPARE(v.rows, 20);
}

void TestAuditLog::detectsAnEditedRow()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 50);
    }
    exec(m_path, QStringLiteral("UPDATE calls SET verdict = 'denied' WHERE seq = 17"));
    const AuditLog::Verification v = AuditLog::verify(m_path);
    QVERIFY(!v.intact);
    QCOMPARE(v.firstBrokenSeq, 17);
    QCOMPARE(v.rows, 16);
    QVERIFY(v.problem.contains(u"edited"));
}

void TestAuditLog::detectsARemovedRow()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 30);
    }
    exec(m_path, QStringLiteral("DELETE FROM calls WHERE seq = 9"));
    const AuditLog::Verification v = AuditLog::verify(m_path);
    QVERIFY(!v.intact);
    QCOMPARE(v.firstBrokenSeq, 10);
    QVERIFY(v.problem.contains(u"row 9 is missing"));
}

void TestAuditLog::detectsAForgedHash()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 30);
    }
    // Editing a row and recomputing its own hash is not enough: the next row's prev_hash gives it away.
    exec(m_path, QStringLiteral("UPDATE calls SET hash = '%1' WHERE seq = 5").arg(QString(64, u'a')));
    const AuditLog::Verification v = AuditLog::verify(m_path);
    QVERIFY(!v.intact);
    QCOMPARE(v.firstBrokenSeq, 5);
}

void TestAuditLog::retentionKeepsTheChainVerifiable()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 100);
    }
    AuditLog::Options options;
    options.retentionRows = 40;
    {
        AuditLog log(m_path, options);
        QString error;
        QVERIFY(log.open(&error)); // retention runs when the log opens
        log.flush();
        write(log, 101, 5);
    }
    QCOMPARE(scalar(m_path, QStringLiteral("SELECT count(*) FROM calls")).toInt(), 45);
    QCOMPARE(scalar(m_path, QStringLiteral("SELECT min(seq) FROM calls")).toInt(), 61);
    const AuditLog::Verification v = AuditLog::verify(m_path);
    QVERIFY2(v.intact, qPrintable(v.problem));
    QCOMPARE(v.rows, 45);
}

void TestAuditLog::oneWriterPerFile()
{
    AuditLog first(m_path);
    QString error;
    QVERIFY(first.open(&error));
    AuditLog second(m_path);
    QVERIFY(!second.open(&error));
    QVERIFY(error.contains(u"in use by another gatehouse"));
}

void TestAuditLog::anOlderLogGainsTheClientColumnAndStillVerifies()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 20);
    }
    QCOMPARE(scalar(m_path, QStringLiteral("PRAGMA user_version")).toInt(), auditschema::Current);
    // As an older version left it: no client column, no schema version.
    exec(m_path, QStringLiteral("ALTER TABLE calls DROP COLUMN client"));
    exec(m_path, QStringLiteral("PRAGMA user_version = 0"));
    QVERIFY(AuditLog::verify(m_path).intact);
    // Verifying only reads: the log it checks is left as it was.
    QCOMPARE(scalar(m_path,
                    QStringLiteral("SELECT COUNT(*) FROM pragma_table_info('calls') WHERE name = 'client'"))
                 .toInt(),
             0);
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY2(log.open(&error), qPrintable(error));
        int durable = 0;
        for (int i = 21; i <= 30; ++i) {
            CallRecord r = record(i);
            r.client = QStringLiteral("claude-code 2.1");
            log.append(r, [&durable](bool ok) { durable += ok; });
        }
        log.flush();
        QTRY_COMPARE(durable, 10);
    }
    const AuditLog::Verification v = AuditLog::verify(m_path);
    QVERIFY2(v.intact, qPrintable(v.problem));
    QCOMPARE(v.rows, 30);
    QCOMPARE(scalar(m_path, QStringLiteral("SELECT client FROM calls WHERE seq = 25")).toString(),
             QStringLiteral("claude-code 2.1"));
    // The agent's name is covered by the chain like every other column.
    exec(m_path, QStringLiteral("UPDATE calls SET client = 'someone else' WHERE seq = 25"));
    const AuditLog::Verification edited = AuditLog::verify(m_path);
    QVERIFY(!edited.intact);
    QCOMPARE(edited.firstBrokenSeq, 25);
    QCOMPARE(scalar(m_path, QStringLiteral("PRAGMA user_version")).toInt(), auditschema::Current);
}

void TestAuditLog::aNewerLogIsLeftAloneAndSaysWhy()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 5);
    }
    exec(m_path, QStringLiteral("PRAGMA user_version = %1").arg(auditschema::Current + 1));
    AuditLog log(m_path);
    QString error;
    QVERIFY(!log.open(&error));
    QVERIFY2(error.contains(QStringLiteral("newer Gatehouse")), qPrintable(error));
    // Readers say so too, and nothing was changed.
    AuditReader reader(m_path);
    const AuditPage page = reader.page({});
    QVERIFY2(page.error.contains(QStringLiteral("newer Gatehouse")), qPrintable(page.error));
    QCOMPARE(scalar(m_path, QStringLiteral("SELECT COUNT(*) FROM calls")).toInt(), 5);
    QCOMPARE(scalar(m_path, QStringLiteral("PRAGMA user_version")).toInt(), auditschema::Current + 1);
}

void TestAuditLog::aFileThatIsNoAuditLogSaysSo()
{
    {
        QFile f(m_path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
    }
    AuditLog log(m_path);
    QString error;
    QVERIFY(!log.open(&error));
    QVERIFY(!error.trimmed().isEmpty());
    AuditReader reader(m_path);
    QVERIFY(!reader.page({}).error.trimmed().isEmpty());
}

void TestAuditLog::theReaderPagesOneSnapshotNewestFirst()
{
    {
        AuditLog log(m_path);
        QString error;
        QVERIFY(log.open(&error));
        write(log, 1, 25);
    }
    AuditReader reader(m_path);
    AuditQuery q;
    q.pageSize = 10;
    AuditPage first = reader.page(q);
    QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
    QCOMPARE(first.total, 25);
    QCOMPARE(first.upToSeq, 25);
    QCOMPARE(first.rows.front().seq, 25);
    {
        AuditLog log(m_path); // more calls arrive
        QString error;
        QVERIFY(log.open(&error));
        write(log, 26, 5);
    }
    q.upToSeq = first.upToSeq;
    q.page = 2;
    const AuditPage last = reader.page(q);
    QCOMPARE(last.total, 25); // the same snapshot
    QCOMPARE(last.rows.size(), std::size_t(5));
    QCOMPARE(last.rows.back().seq, 1);
    q.page = 99;
    QCOMPARE(reader.page(q).page, 2); // past the end: the last page
}

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
