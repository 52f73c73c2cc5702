// SPDX-License-Identifier: GPL-3.0-or-later
// The live table's model: batched ingest, updates of open calls, filtering, bounded details.
#include "CallTableModel.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;
using S = CallTableModel::CallStatus;

namespace {
CallRecord call(qint64 seq, const QString& tool, Verdict v, CallRecord::Outcome o, const QString& grant = {})
{
    CallRecord r;
    r.sequence = seq;
    r.time = QDateTime::currentDateTimeUtc();
    r.server = QStringLiteral("rolli");
    r.tool = tool;
    r.grant = grant;
    r.verdict = v;
    r.outcome = o;
    r.rule = v == Verdict::Limited ? QStringLiteral("/tools/%1/limits/0").arg(tool)
                                   : QStringLiteral("/tools/%1").arg(tool);
    r.arguments = QJsonObject{{QStringLiteral("id"), QStringLiteral("run-%1").arg(seq)}};
    return r;
}
} // namespace

class TestCallTableModel : public QObject
{
    Q_OBJECT
private slots:
    void callsArriveInBatchesNotOneByOne()
    {
        CallTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int i = 1; i <= 1000; ++i)
            model.add(call(i, QStringLiteral("get_usage"), Verdict::Allowed, CallRecord::Outcome::Answered));
        QCOMPARE(model.rowCount(), 0); // nothing until the tick
        QTRY_COMPARE(model.rowCount(), 1000);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.index(999, CallTableModel::Arguments).data().toString(),
                 QStringLiteral("id=run-1000"));
        QCOMPARE(model.index(0, CallTableModel::Status).data().toString(), QStringLiteral("allowed"));
    }

    void aPendingCallIsUpdatedInPlace()
    {
        CallTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        CallRecord r =
            call(7, QStringLiteral("rerun_agent_run"), Verdict::NeedsApproval, CallRecord::Outcome::Pending);
        model.add(r);
        model.flush();
        QCOMPARE(model.index(0, CallTableModel::Status).data(CallTableModel::StatusRole).toInt(),
                 int(S::Pending));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        r.verdict = Verdict::Allowed;
        r.outcome = CallRecord::Outcome::Answered;
        r.approver = QStringLiteral("app");
        r.latencyMs = 1234.5;
        model.add(r);
        model.flush();
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, CallTableModel::Status).data(CallTableModel::StatusRole).toInt(),
                 int(S::Approved));
        QCOMPARE(model.index(0, CallTableModel::Latency).data().toString(), QStringLiteral("1235 ms"));
        // What was measured, not whole milliseconds printed with a decimal.
        QCOMPARE(CallTableModel::latencyText(0.4213), QStringLiteral("0.42 ms"));
        QCOMPARE(CallTableModel::latencyText(12.34), QStringLiteral("12.3 ms"));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.record(0)->approver, QStringLiteral("app"));
    }

    void statusesFollowVerdictAndOutcome()
    {
        QCOMPARE(CallTableModel::statusOf(call(1, {}, Verdict::Limited, CallRecord::Outcome::Refused)),
                 S::Limited);
        QCOMPARE(CallTableModel::statusOf(call(1, {}, Verdict::Denied, CallRecord::Outcome::Refused)),
                 S::Denied);
        QCOMPARE(CallTableModel::statusOf(call(1, {}, Verdict::Allowed, CallRecord::Outcome::Failed)),
                 S::Failed);
        CallRecord rejected = call(1, {}, Verdict::Denied, CallRecord::Outcome::Refused);
        rejected.approver = QStringLiteral("app");
        QCOMPARE(CallTableModel::statusOf(rejected), S::Rejected);
    }

    void filtersByTextStatusToolAndGrant()
    {
        CallTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 1; i <= 300; ++i) {
            const QString tool = i % 3 == 0 ? QStringLiteral("rerun_agent_run") : QStringLiteral("get_usage");
            model.add(call(i, tool, i % 3 == 0 ? Verdict::Limited : Verdict::Allowed,
                           i % 3 == 0 ? CallRecord::Outcome::Refused : CallRecord::Outcome::Answered,
                           i % 2 ? QStringLiteral("alice") : QStringLiteral("bob")));
        }
        model.flush();
        CallFilter f;
        f.statuses = 1u << int(S::Limited);
        model.setFilter(f);
        QCOMPARE(model.rowCount(), 100);
        f.grant = QStringLiteral("alice");
        model.setFilter(f);
        QCOMPARE(model.rowCount(), 50);
        f = CallFilter{};
        f.text = QStringLiteral("RUN-15"); // arguments, any case: run-15, run-150..159
        model.setFilter(f);
        QCOMPARE(model.rowCount(), 11);
        f = CallFilter{};
        f.text = QStringLiteral("/limits/"); // the rule
        f.tool = QStringLiteral("rerun_agent_run");
        model.setFilter(f);
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.record(0)->tool, QStringLiteral("rerun_agent_run"));

        // New calls respect the filter in force.
        model.add(call(301, QStringLiteral("get_usage"), Verdict::Allowed, CallRecord::Outcome::Answered));
        model.add(
            call(302, QStringLiteral("rerun_agent_run"), Verdict::Limited, CallRecord::Outcome::Refused));
        model.flush();
        QCOMPARE(model.rowCount(), 101);
        QCOMPARE(model.totalCount(), 302);
        model.setFilter({});
        QCOMPARE(model.rowCount(), 302);
    }

    void detailsAreKeptForTheLatestCallsOnly()
    {
        CallTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int n = CallTableModel::DetailLimit + 10;
        for (int i = 1; i <= n; ++i)
            model.add(call(i, QStringLiteral("get_usage"), Verdict::Allowed, CallRecord::Outcome::Answered));
        model.flush();
        QCOMPARE(model.rowCount(), n);
        QVERIFY(!model.record(0)); // evicted
        QVERIFY(!model.record(9));
        QVERIFY(model.record(10));
        QCOMPARE(model.record(n - 1)->sequence, qint64(n));
    }

    void argumentSummariesAreShortAndCutOnCharacterBoundaries()
    {
        const QJsonObject args{{QStringLiteral("q"), QString(200, QChar(0x00e9))}}; // é: two UTF-8 bytes
        const QByteArray s = CallTableModel::summarizeArguments(args);
        QVERIFY(s.size() <= CallTableModel::SummaryBytes + 3);
        QVERIFY(s.endsWith("\xe2\x80\xa6"));
        QVERIFY(QString::fromUtf8(s).toUtf8() == s); // valid UTF-8
        QCOMPARE(CallTableModel::summarizeArguments(
                     QJsonObject{{QStringLiteral("n"), 5}, {QStringLiteral("b"), true}}),
                 QByteArray("b=true, n=5"));
    }
};

QTEST_MAIN(TestCallTableModel)
#include "tst_calltablemodel.moc"
