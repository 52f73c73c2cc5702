// SPDX-License-Identifier: GPL-3.0-or-later
// "What would change?" beside the policy editor: the unsaved policy replayed against a real audit log,
// again after each edit, grouped by tool with counts; invalid text and a missing log say so.
#include "PolicyDocument.h"
#include "PolicyEditor.h"
#include "WhatIfPanel.h"
#include "audit/AuditLog.h"

#include <QAction>
#include <QDir>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;

namespace {
const QByteArray AllowAll = "{\n  \"version\": \"1\",\n  \"default\": \"allow\"\n}\n";
const QByteArray WithLimit = "{\n  \"version\": \"1\",\n  \"default\": \"allow\",\n  \"tools\": {\n"
                             "    \"rerun_agent_run\": {\"limits\": [{\"counter\": \"reruns\", \"window\": "
                             "\"minute\", \"max\": 10}]}\n  }\n}\n";
} // namespace

class TestWhatIfPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_db = m_dir.filePath(QStringLiteral("audit.sqlite"));
        AuditLog log(m_db);
        QString error;
        QVERIFY2(log.open(&error), qPrintable(error));
        const QDateTime start =
            QDateTime::fromString(QStringLiteral("2026-11-20T10:00:00.000Z"), Qt::ISODateWithMs);
        std::atomic<int> durable{0};
        // Twelve reruns in one minute on this server, and three on another.
        for (int i = 0; i < 15; ++i) {
            CallRecord r;
            r.time = start.addSecs(i * 3);
            r.server = i < 12 ? QStringLiteral("rolli-sandbox") : QStringLiteral("elsewhere");
            r.session = QStringLiteral("s");
            r.tool = QStringLiteral("rerun_agent_run");
            r.verdict = Verdict::Allowed;
            r.outcome = CallRecord::Outcome::Answered;
            log.append(r, [&](bool ok) { durable += ok ? 1 : 0; });
        }
        log.flush();
        QTRY_COMPARE(durable.load(), 15);
    }

    void replaysTheUnsavedPolicyAfterEachEdit()
    {
        PolicyDocument doc;
        doc.reset(AllowAll);
        PolicyEditor editor(&doc);
        QVERIFY(!editor.whatIfAction()->isEnabled()); // nothing to replay yet
        editor.setReplaySource(m_db, QStringLiteral("rolli-sandbox"));
        QVERIFY(editor.whatIfAction()->isEnabled());
        editor.resize(1500, 800);
        editor.show();
        WhatIfPanel* panel = editor.whatIf();
        QVERIFY(!panel->isVisible());
        QSignalSpy finished(panel, &WhatIfPanel::finished);
        editor.whatIfAction()->trigger();
        QVERIFY(panel->isVisible());
        QTRY_VERIFY(finished.count() >= 1);
        QVERIFY2(panel->summary().contains(QStringLiteral("Replayed 12 calls")),
                 qPrintable(panel->summary()));
        QVERIFY(panel->summary().contains(QStringLiteral("<b>nothing</b>")));
        QCOMPARE(panel->changes()->topLevelItemCount(), 0);

        // An edit in the JSON (unsaved): two of the twelve would now be limited.
        finished.clear();
        doc.takeFileText(WithLimit, QStringLiteral("test edit"));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1, 10'000);
        QVERIFY2(panel->summary().contains(QStringLiteral("<b>2</b> would be decided differently")),
                 qPrintable(panel->summary()));
        QCOMPARE(panel->changes()->topLevelItemCount(), 1);
        QTreeWidgetItem* tool = panel->changes()->topLevelItem(0);
        QCOMPARE(tool->text(0), QStringLiteral("rerun_agent_run"));
        QCOMPARE(tool->text(2), QStringLiteral("2"));
        QCOMPARE(tool->childCount(), 1);
        QCOMPARE(tool->child(0)->text(1), QStringLiteral("allowed → limited"));
        QCOMPARE(tool->child(0)->text(3), QStringLiteral("/tools/rerun_agent_run/limits/0"));
        QVERIFY(tool->child(0)->toolTip(1).contains(QStringLiteral("11, 12")));

        QDir().mkpath(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR));
        QVERIFY(editor.grab().save(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR "/what-would-change.png")));

        // Broken text: said plainly, nothing replayed.
        doc.text()->setPlainText(QStringLiteral("{ \"version\": "));
        QTRY_VERIFY(panel->summary().contains(QStringLiteral("not valid")));
        QCOMPARE(panel->changes()->topLevelItemCount(), 0);
    }

    void withoutHistoryItSaysSo()
    {
        PolicyDocument doc;
        doc.reset(AllowAll);
        WhatIfPanel panel(&doc);
        panel.setSource(m_dir.filePath(QStringLiteral("none.sqlite")), QStringLiteral("rolli-sandbox"));
        panel.replay();
        QVERIFY(panel.summary().contains(QStringLiteral("No audit history yet")));
    }

private:
    QTemporaryDir m_dir;
    QString m_db;
};

QTEST_MAIN(TestWhatIfPanel)
#include "tst_whatifpanel.moc"
