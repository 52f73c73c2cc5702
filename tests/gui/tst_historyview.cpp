// SPDX-License-Identifier: GPL-3.0-or-later
// History as the audit log's viewer, over a real log written by AuditLog.
#include "HistoryModel.h"
#include "HistoryView.h"
#include "JsonEdit.h"
#include "audit/AuditLog.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;

class TestHistoryView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_path;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("audit.sqlite"));
        AuditLog log(m_path);
        QString error;
        QVERIFY2(log.open(&error), qPrintable(error));
        // 1,234 calls: more than two pages, more than QSqlQueryModel's first fetch of 256.
        for (int i = 0; i < 1234; ++i) {
            CallRecord r;
            r.sequence = i;
            r.time = QDateTime::currentDateTimeUtc().addSecs(i < 1000 ? -2 * 86400 : -60);
            r.server = QStringLiteral("rolli");
            r.tool = i % 2 ? QStringLiteral("rerun_agent_run") : QStringLiteral("get_usage");
            r.client = i % 3 ? QStringLiteral("claude-code 2.1") : QStringLiteral("cursor 1.7");
            r.arguments = QJsonObject{{QStringLiteral("id"), QString::number(i)}};
            r.verdict = Verdict::Allowed;
            r.outcome = CallRecord::Outcome::Answered;
            r.resultIsError = i == 1233; // the newest: the tool said no
            if (i == 1232) {
                r.approver = QStringLiteral("app");
                r.approvalNote = QStringLiteral("arguments edited by app (original sha256 abc)");
            }
            log.append(r, [](bool) {});
        }
        log.flush();
    }

    void countsEveryCallAndPagesThroughThem()
    {
        HistoryView view(m_path);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.show();
        QTRY_COMPARE(view.total(), qint64(1234));
        QCOMPARE(view.model()->rowCount(), HistoryView::PageSize);
        QCOMPARE(view.countLabel()->text(), QStringLiteral("1–500 of 1,234 calls"));
        view.showPage(2);
        QTRY_VERIFY(!view.isSearching());
        QCOMPARE(view.model()->rowCount(), 234);
        QCOMPARE(view.countLabel()->text(), QStringLiteral("1,001–1,234 of 1,234 calls"));
        view.showPage(9); // past the end: the last page
        QTRY_VERIFY(!view.isSearching());
        QCOMPARE(view.page(), 2);
        view.showPage(0);
        QTRY_VERIFY(!view.isSearching());
        // Newest first, in the live table's words, with the agent and the approval note.
        QCOMPARE(view.model()->index(0, HistoryModel::Status).data().toString(),
                 QStringLiteral("allowed · tool error"));
        QCOMPARE(view.model()->index(0, HistoryModel::Client).data().toString(),
                 QStringLiteral("cursor 1.7"));
        QCOMPARE(view.model()->index(1, HistoryModel::Status).data().toString(), QStringLiteral("approved"));
        QVERIFY(view.model()
                    ->index(1, HistoryModel::Approver)
                    .data()
                    .toString()
                    .contains(QStringLiteral("edited")));
        QCOMPARE(view.model()->index(0, HistoryModel::ArgumentKeys).data().toString(), QStringLiteral("id"));
        // The stored row of the selected call, whole.
        view.table()->selectRow(1);
        QVERIFY(view.details()->toPlainText().contains(QStringLiteral("original sha256 abc")));
        QVERIFY(view.details()->toPlainText().contains(QStringLiteral("\"client\"")));
    }

    void pagesStayPutWhileTheProxyWrites()
    {
        const QString path = m_dir.filePath(QStringLiteral("writing.sqlite"));
        QVERIFY(QFile::copy(m_path, path));
        HistoryView view(path);
        view.show();
        QTRY_COMPARE(view.total(), qint64(1234));
        {
            AuditLog log(path); // the proxy, still writing
            QString error;
            QVERIFY2(log.open(&error), qPrintable(error));
            CallRecord r;
            r.time = QDateTime::currentDateTimeUtc();
            r.server = QStringLiteral("rolli");
            r.tool = QStringLiteral("get_usage");
            for (int i = 0; i < 10; ++i)
                log.append(r, [](bool) {});
            log.flush();
        }
        view.showPage(1); // "Older": the rows after the first page's last, none twice
        QTRY_VERIFY(!view.isSearching());
        QCOMPARE(view.model()->row(0)->seq, qint64(1234 - HistoryView::PageSize));
        QCOMPARE(view.total(), qint64(1234));
        view.showPage(0);
        QTRY_VERIFY(!view.isSearching());
        view.refresh(); // takes in the new ones
        QTRY_VERIFY(!view.isSearching());
        QCOMPARE(view.total(), qint64(1244));
    }

    void searchesOffTheWindowsThreadAndOnlyWhenAsked()
    {
        HistoryView view(m_path);
        view.show();
        QTRY_COMPARE(view.total(), qint64(1234));
        // Shown again (back from another tab) with no search text: the newest page is read again…
        view.hide();
        view.show();
        QVERIFY(view.isSearching());
        QTRY_VERIFY(!view.isSearching());
        // …but a text search, which scans the whole log, waits for a change or Refresh.
        view.filterText()->setText(QStringLiteral("cursor"));
        view.showPage(0);
        QTRY_VERIFY(!view.isSearching());
        QCOMPARE(view.total(), qint64(412));
        view.hide();
        view.show();
        QVERIFY(!view.isSearching());
        view.filterText()->clear();
        QTRY_COMPARE(view.total(), qint64(1234)); // the search as typing paused
        QVERIFY(!view.isSearching());
        // A page is asked for and the call returns at once; the rows come when the reader is done.
        view.showPage(1);
        QVERIFY(view.isSearching());
        QCOMPARE(view.countLabel()->text(), QStringLiteral("Searching…"));
        QTRY_VERIFY(!view.isSearching());
        QCOMPARE(view.page(), 1);
        QCOMPARE(view.model()->row(0)->seq, qint64(1234 - HistoryView::PageSize));
    }

    void searchesAsYouTypeAndByTime()
    {
        HistoryView view(m_path);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.show();
        QTRY_COMPARE(view.total(), qint64(1234));
        QTest::keyClicks(view.filterText(), QStringLiteral("cursor"));
        // No Enter: the search runs once typing pauses.
        QTRY_COMPARE(view.total(), qint64(412));
        view.filterText()->clear();
        QTRY_COMPARE(view.total(), qint64(1234));
        auto* since = view.findChild<QComboBox*>();
        QVERIFY(since);
        since->setCurrentIndex(since->findData(3600));
        emit since->activated(since->currentIndex());
        QTRY_COMPARE(view.total(), qint64(234));
        // A LIKE wildcard is searched for as text.
        since->setCurrentIndex(0);
        emit since->activated(0);
        view.filterText()->setText(QStringLiteral("%"));
        QTRY_COMPARE(view.total(), qint64(0));
    }
};

QTEST_MAIN(TestHistoryView)
#include "tst_historyview.moc"
