// SPDX-License-Identifier: GPL-3.0-or-later
// The whole app against the real Rolli sandbox through the real proxy: the console's calls are decided
// by the policy and stream into the live table, quick actions edit and apply the policy, approvals are
// answered in the panel. Writes a screenshot of every main view to the build tree.
#include "../support/RateWindow.h"
#include "ApprovalCard.h"
#include "ApprovalQueue.h"
#include "CallConsole.h"
#include "CallTableModel.h"
#include "JsonEdit.h"
#include "LiveCallsView.h"
#include "MainWindow.h"
#include "PolicyDocument.h"
#include "PolicyEditor.h"
#include "SchemaForm.h"
#include "ServedServer.h"
#include "StatsView.h"
#include "ToolTableModel.h"
#include "audit/AuditLog.h"
#include "policy/PolicyEdit.h"
#include "policy/PolicyParser.h"
#include "proxy/Proxy.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;
using S = CallTableModel::CallStatus;

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_policy;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<Proxy> m_proxy;
    std::unique_ptr<MainWindow> m_window;

    ServedServer* sandbox() const { return m_window->server(QStringLiteral("rolli-sandbox")); }
    CallTableModel* calls() const { return m_window->callModel(); }
    S lastStatus() const
    {
        return S(calls()
                     ->index(calls()->rowCount() - 1, CallTableModel::Status)
                     .data(CallTableModel::StatusRole)
                     .toInt());
    }
    // Sends update_agent_run (which asks a person since an earlier test) from the app's console and
    // returns its card once it can take input.
    ApprovalCard* askForUpdate(const QString& label)
    {
        m_window->console()->select(QStringLiteral("rolli-sandbox"), QStringLiteral("update_agent_run"));
        m_window->console()->form()->setArguments(
            QJsonObject{{QStringLiteral("id"), demoRun()}, {QStringLiteral("label"), label}});
        if (!m_window->console()->send())
            return nullptr;
        if (!QTest::qWaitFor([this] { return m_window->approvals()->openCount() == 1; }, 5000))
            return nullptr;
        ApprovalCard* card = m_window->approvals()->head();
        return QTest::qWaitFor([card] { return card->acceptsInput(); }, 3000) ? card : nullptr;
    }
    static QPushButton* button(QWidget* in, const QString& text)
    {
        for (QPushButton* b : in->findChildren<QPushButton*>())
            if (b->text() == text)
                return b;
        return nullptr;
    }
    static QWidget* firstFocusable(QWidget* page)
    {
        for (QWidget* w : page->findChildren<QWidget*>())
            if (w->isVisible() && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus))
                return w;
        return page;
    }
    QString policyOnDisk(const QString& tool) const
    {
        const PolicyLoad load = PolicyParser::parseFile(m_policy);
        if (!load.policy || !load.policy->tools || !load.policy->tools->contains(tool))
            return {};
        const auto action = load.policy->tools->value(tool).action;
        return action ? toolActionName(*action) : QString();
    }

    // The run the risky-call demo started.
    QString demoRun() const
    {
        for (int row = 0; row < calls()->rowCount(); ++row)
            if (const auto r = calls()->record(row); r && r->tool == u"rerun_agent_run")
                return r->arguments.value(QStringLiteral("id")).toString();
        return {};
    }

    QString lastTool() const
    {
        return calls()->index(calls()->rowCount() - 1, CallTableModel::Tool).data().toString();
    }
    void shoot(const QString& name)
    {
        QCoreApplication::processEvents();
        QDir().mkpath(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR));
        const QString path = QStringLiteral(GATEHOUSE_SCREENSHOT_DIR "/%1.png").arg(name);
        QVERIFY(m_window->grab().save(path));
        QVERIFY(QFileInfo(path).size() > 10'000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8()); // QSettings
        m_policy = m_dir.filePath(QStringLiteral("rolli.json"));
        QVERIFY(QFile::copy(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json"),
                            m_policy));
        QFile::setPermissions(m_policy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

        m_audit = std::make_unique<AuditLog>(m_dir.filePath(QStringLiteral("audit.sqlite")));
        QString error;
        QVERIFY2(m_audit->open(&error), qPrintable(error));
        ServerConfig sandboxServer;
        sandboxServer.command = QStringList{QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")};
        sandboxServer.policy = m_policy;
        m_proxy = std::make_unique<Proxy>(
            std::make_shared<Config>(),
            QMap<QString, ServerConfig>{{QStringLiteral("rolli-sandbox"), sandboxServer}}, m_audit.get());
        Proxy::Settings settings;
        settings.port = 0;
        settings.launchToken = "test-token";
        QVERIFY2(m_proxy->start(settings, &error), qPrintable(error));

        MainWindow::Setup setup;
        setup.proxy = m_proxy.get();
        setup.auditPath = m_audit->path();
        setup.catalogues.insert(
            QStringLiteral("rolli-sandbox"),
            *ToolCatalogue::fromFile(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"), &error));
        setup.connection = {m_proxy->mcpUrl(QStringLiteral("rolli-sandbox")),
                            QStringLiteral("test-token"),
                            {QStringLiteral("gatehouse"), QStringLiteral("serve"), QStringLiteral("--stdio")},
                            QStringLiteral("rolli-sandbox"),
                            QString()};
        m_window = std::make_unique<MainWindow>(setup);
        m_window->resize(1500, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(sandbox()->isReachable(), 15000);
        QCOMPARE(sandbox()->catalogue().size(), 30);
        for (const ToolInfo& t : sandbox()->catalogue().tools())
            QVERIFY2(t.live, qPrintable(t.name)); // every catalogue tool is served by the sandbox
    }

    void policyViewShowsAllThirtyTools()
    {
        m_window->tabs()->setCurrentIndex(MainWindow::PolicyTab);
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("rolli-sandbox"));
        QCOMPARE(editor->toolModel()->rowCount(), 30);
        editor->selectTool(QStringLiteral("rerun_agent_run"));
        shoot(QStringLiteral("policy-editor"));
    }

    void tryARiskyCallShowsTheLimitBiting()
    {
        waitForWindowRoom(60, 20); // 22 calls counted against per-minute limits, in one minute
        m_window->console()->tryRiskyCall();
        // start_agent_run, then a stuck agent's loop: cancel (the run is failed), rerun; ten times. The
        // sandbox reruns each of those (a failed run can be rerun), and the eleventh rerun is limited.
        QTRY_VERIFY_WITH_TIMEOUT(calls()->totalCount() >= 22 && lastStatus() == S::Limited, 20000);
        QCOMPARE(lastTool(), QStringLiteral("rerun_agent_run"));
        int limited = 0, rerunsThrough = 0, toolErrors = 0;
        for (int row = 0; row < calls()->rowCount(); ++row) {
            const auto status =
                S(calls()->index(row, CallTableModel::Status).data(CallTableModel::StatusRole).toInt());
            limited += status == S::Limited;
            toolErrors += status == S::ToolError;
            rerunsThrough +=
                status == S::Allowed &&
                calls()->index(row, CallTableModel::Tool).data().toString() == u"rerun_agent_run";
        }
        QCOMPARE(limited, 1);
        QCOMPARE(rerunsThrough, 10);
        QCOMPARE(toolErrors, 0); // every call the demo makes is one the sandbox carries out
        QCOMPARE(calls()->index(calls()->rowCount() - 1, CallTableModel::Rule).data().toString(),
                 QStringLiteral("/tools/rerun_agent_run/limits/0"));
        m_window->tabs()->setCurrentIndex(MainWindow::LiveTab);
        m_window->liveCalls()->table()->selectRow(calls()->rowCount() - 1);
        shoot(QStringLiteral("live-calls"));
        m_window->tabs()->setCurrentIndex(MainWindow::ConsoleTab);
        shoot(QStringLiteral("console"));
        m_window->stats()->refresh();
        QCOMPARE(m_window->stats()->stats().total(), 22);
        m_window->tabs()->setCurrentIndex(MainWindow::StatsTab);
        shoot(QStringLiteral("stats"));
        m_audit->flush();
        m_window->tabs()->setCurrentIndex(MainWindow::HistoryTab);
        shoot(QStringLiteral("history"));
    }

    void denyFromTheMonitorIsSavedAndAppliedAtOnce()
    {
        // Right-click "Deny get_usage" in the live table: the policy file says deny and the proxy obeys,
        // for the same (still connected) client session.
        emit m_window->liveCalls()->toolStateRequested(
            QStringLiteral("rolli-sandbox"), QStringLiteral("get_usage"), policyedit::ToolState::Deny);
        const PolicyLoad onDisk = PolicyParser::parseFile(m_policy);
        QVERIFY(onDisk.policy);
        QCOMPARE(onDisk.policy->tool(QStringLiteral("get_usage"))->action, std::optional(ToolAction::Deny));
        const qint64 before = calls()->totalCount();
        m_window->console()->select(QStringLiteral("rolli-sandbox"), QStringLiteral("get_usage"));
        QVERIFY(m_window->console()->send());
        QTRY_VERIFY_WITH_TIMEOUT(calls()->totalCount() == before + 1 && lastStatus() == S::Denied, 5000);
        // Undo in the editor, save: allowed again.
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("rolli-sandbox"));
        sandbox()->document()->undoStack()->undo();
        QVERIFY(editor->save());
        QVERIFY(m_window->console()->send());
        QTRY_VERIFY_WITH_TIMEOUT(calls()->totalCount() == before + 2 && lastStatus() == S::Allowed, 5000);
    }

    void anApprovalAnsweredInThePanelLetsTheCallThrough()
    {
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("rolli-sandbox"));
        ToolTableModel* model = editor->toolModel();
        QVERIFY(model->setState(model->rowOf(QStringLiteral("update_agent_run")),
                                policyedit::ToolState::Approve));
        QVERIFY(editor->save());
        m_window->console()->select(QStringLiteral("rolli-sandbox"), QStringLiteral("update_agent_run"));
        m_window->console()->form()->setArguments(QJsonObject{
            {QStringLiteral("id"), demoRun()}, {QStringLiteral("label"), QStringLiteral("checked")}});
        QSignalSpy answered(m_window->console(), &CallConsole::answered);
        QVERIFY(m_window->console()->send());
        QTRY_COMPARE_WITH_TIMEOUT(m_window->approvals()->openCount(), 1, 5000);
        QTRY_COMPARE(lastStatus(), S::Pending);
        ApprovalCard* card = m_window->approvals()->head();
        QCOMPARE(card->request().tool, QStringLiteral("update_agent_run"));
        QCOMPARE(card->request().riskClass, QStringLiteral("Write"));
        m_window->tabs()->setCurrentIndex(MainWindow::LiveTab);
        shoot(QStringLiteral("approval-pending"));
        QPushButton* allow = nullptr;
        for (QPushButton* b : card->findChildren<QPushButton*>())
            if (b->text().remove(u'&') == QStringLiteral("Allow once"))
                allow = b;
        QVERIFY(allow);
        // A card takes no input until it has been on the screen long enough to be read.
        QVERIFY(QTest::qWaitFor([card] { return card->acceptsInput(); }, 3000));
        QTest::mouseClick(allow, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 5000);
        QTRY_COMPARE(lastStatus(), S::Approved);
        const QJsonObject response = answered.first().at(1).toJsonObject();
        QVERIFY(response.contains(QStringLiteral("result")));
        QCOMPARE(m_window->approvals()->openCount(), 0);
    }

    void allowWithEditsSendsTheEditedCallAndSaysSo()
    {
        // update_agent_run still asks (previous test). Take the run the risky-call demo started.
        const QString runId = demoRun();
        QVERIFY(!runId.isEmpty());
        m_window->console()->select(QStringLiteral("rolli-sandbox"), QStringLiteral("update_agent_run"));
        m_window->console()->form()->setArguments(
            QJsonObject{{QStringLiteral("id"), runId},
                        {QStringLiteral("label"), QStringLiteral("as the agent wrote it")}});
        QSignalSpy answered(m_window->console(), &CallConsole::answered);
        const qint64 before = calls()->totalCount();
        QVERIFY(m_window->console()->send());
        QTRY_COMPARE_WITH_TIMEOUT(m_window->approvals()->openCount(), 1, 5000);
        QJsonObject edited = m_window->approvals()->head()->request().arguments;
        edited.insert(QStringLiteral("label"), QStringLiteral("as a person corrected it"));
        QVERIFY(m_window->approvals()->head()->answer(ApprovalChoice::AllowOnce, edited));
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 5000);
        const QJsonObject result =
            answered.first().at(1).toJsonObject().value(QStringLiteral("result")).toObject();
        QVERIFY2(!result.value(QStringLiteral("isError")).toBool(),
                 QJsonDocument(result).toJson().constData());
        QCOMPARE(result[QStringLiteral("structuredContent")][QStringLiteral("label")].toString(),
                 QStringLiteral("as a person corrected it")); // the sandbox got the edited call
        QTRY_COMPARE(calls()->totalCount(), before + 1);
        QTRY_COMPARE(lastStatus(), S::Approved);
        const auto record = calls()->record(calls()->rowCount() - 1);
        QVERIFY(record);
        QCOMPARE(record->arguments.value(QStringLiteral("label")).toString(),
                 QStringLiteral("as a person corrected it"));
        QVERIFY2(record->approvalNote.startsWith(QStringLiteral("arguments edited by app (original sha256 ")),
                 qPrintable(record->approvalNote));
    }

    void answerKeysWorkOnEveryTab()
    {
        // The person's hands stay on the keyboard, whatever tab is in front and whatever has the focus.
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        for (int tab = 0; tab < m_window->tabs()->count(); ++tab) {
            m_window->tabs()->setCurrentIndex(tab);
            QWidget* focus = firstFocusable(m_window->tabs()->currentWidget());
            focus->setFocus(Qt::TabFocusReason);
            QSignalSpy answered(m_window->console(), &CallConsole::answered);
            ApprovalCard* card = askForUpdate(QStringLiteral("keys %1").arg(tab));
            QVERIFY2(card, qPrintable(m_window->tabs()->tabText(tab)));
            QCOMPARE(card->request().client.section(u' ', 0, 0), QStringLiteral("gatehouse-app"));
            QWidget* target = QApplication::focusWidget() ? QApplication::focusWidget() : m_window.get();
            QTest::keyClick(target, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
            QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 5000);
            QTRY_COMPARE(lastStatus(), S::Rejected);
            QCOMPARE(m_window->approvals()->openCount(), 0);
        }
        // The agent's name is in the Agent column of that call.
        QVERIFY(calls()
                    ->index(calls()->rowCount() - 1, CallTableModel::Client)
                    .data()
                    .toString()
                    .startsWith(u"gatehouse-app"));
    }

    void alwaysAllowDuringAnEditJoinsTheEdit()
    {
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("rolli-sandbox"));
        PolicyDocument* doc = sandbox()->document();
        QVERIFY(!doc->isModified());
        // An edit of the person's own, not saved yet.
        ToolTableModel* model = editor->toolModel();
        QVERIFY(model->setState(model->rowOf(QStringLiteral("get_usage")), policyedit::ToolState::Hide));
        QVERIFY(doc->isModified());
        QVERIFY(m_window->isWindowModified());
        QVERIFY(m_window->tabs()->tabText(MainWindow::PolicyTab).contains(u'•'));
        // Meanwhile an agent asks, and the person answers "Always allow".
        QSignalSpy answered(m_window->console(), &CallConsole::answered);
        ApprovalCard* card = askForUpdate(QStringLiteral("always"));
        QVERIFY(card);
        QPushButton* always = button(card, QStringLiteral("Always allow"));
        QVERIFY(always);
        QTest::mouseClick(always, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 5000);
        QCOMPARE(policyOnDisk(QStringLiteral("update_agent_run")), QStringLiteral("allow")); // in effect now
        QVERIFY(doc->isModified());
        QCOMPARE(policyedit::toolState(*doc->policy(), QStringLiteral("update_agent_run")),
                 policyedit::ToolState::Allow);
        QCOMPARE(policyedit::toolState(*doc->policy(), QStringLiteral("get_usage")),
                 policyedit::ToolState::Hide);
        // Saving keeps both: the rule is not written back to "approve", and no "file changed" question
        // (a modal box would fail this test by timing out).
        bool asked = false;
        QTimer guard;
        guard.setSingleShot(true);
        connect(&guard, &QTimer::timeout, this, [&asked] {
            if (QWidget* modal = QApplication::activeModalWidget()) {
                asked = true;
                modal->close();
            }
        });
        guard.start(2000);
        QVERIFY(editor->save());
        QVERIFY(!asked);
        QCOMPARE(policyOnDisk(QStringLiteral("update_agent_run")), QStringLiteral("allow"));
        const PolicyLoad saved = PolicyParser::parseFile(m_policy);
        QCOMPARE(policyedit::toolState(*saved.policy, QStringLiteral("get_usage")),
                 policyedit::ToolState::Hide);
        QVERIFY(!m_window->isWindowModified());
        // Put things back for the tests that follow.
        QVERIFY(model->setState(model->rowOf(QStringLiteral("get_usage")), policyedit::ToolState::Allow));
        QVERIFY(model->setState(model->rowOf(QStringLiteral("update_agent_run")),
                                policyedit::ToolState::Approve));
        QVERIFY(editor->save());
    }

    void alwaysAllowIsAnUndoableEditOfThePolicy()
    {
        // No edits pending: the answer is saved by the Policy tab's document, as one step of its history.
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("rolli-sandbox"));
        PolicyDocument* doc = sandbox()->document();
        QVERIFY(!doc->isModified());
        QCOMPARE(policyOnDisk(QStringLiteral("update_agent_run")), QStringLiteral("approve"));
        QSignalSpy answered(m_window->console(), &CallConsole::answered);
        ApprovalCard* card = askForUpdate(QStringLiteral("always, clean"));
        QVERIFY(card);
        QPushButton* always = button(card, QStringLiteral("Always allow"));
        QVERIFY(always);
        QTest::mouseClick(always, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 5000);
        QCOMPARE(policyOnDisk(QStringLiteral("update_agent_run")), QStringLiteral("allow"));
        QVERIFY(!doc->isModified());
        QVERIFY(doc->undoStack()->undoText().startsWith(u"Always allow update_agent_run"));
        // The next call runs without a question.
        QVERIFY(m_window->console()->send());
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 2, 5000);
        QCOMPARE(m_window->approvals()->openCount(), 0);
        // Ctrl+Z in the Policy tab takes it back; saved, the tool asks again.
        m_window->tabs()->setCurrentIndex(MainWindow::PolicyTab);
        editor->toolTable()->setFocus();
        QTest::keyClick(editor->toolTable(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(policyedit::toolState(*doc->policy(), QStringLiteral("update_agent_run")),
                 policyedit::ToolState::Approve);
        QVERIFY(doc->isModified());
        QVERIFY(editor->save());
        QCOMPARE(policyOnDisk(QStringLiteral("update_agent_run")), QStringLiteral("approve"));
        ApprovalCard* again = askForUpdate(QStringLiteral("asks again"));
        QVERIFY(again);
        QVERIFY(m_window->approvals()->answerHead(ApprovalChoice::Deny));
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 3, 5000);
    }

    void ctrlZUndoesInTheTableAndTheJson()
    {
        m_window->tabs()->setCurrentIndex(MainWindow::PolicyTab);
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("rolli-sandbox"));
        PolicyDocument* doc = sandbox()->document();
        QVERIFY(!doc->isModified());
        const auto state = [doc] {
            return policyedit::toolState(*doc->policy(), QStringLiteral("get_usage"));
        };
        const auto before = state();
        QCOMPARE_NE(before, policyedit::ToolState::Hide);
        editor->selectTool(QStringLiteral("get_usage"));
        editor->toolTable()->setFocus();
        QTest::keyClick(editor->toolTable(), Qt::Key_H);
        QCOMPARE(state(), policyedit::ToolState::Hide);
        QTest::keyClick(editor->toolTable(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(state(), before);
        QTest::keyClick(editor->toolTable(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(state(), policyedit::ToolState::Hide);
        // The same keys in the JSON pane act on the same history.
        editor->jsonEdit()->setFocus();
        QTest::keyClick(editor->jsonEdit(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(state(), before);
        QVERIFY(!doc->isModified());
    }

    void aToolErrorIsNotShownAsAllowed()
    {
        QSignalSpy answered(m_window->console(), &CallConsole::answered);
        m_window->console()->select(QStringLiteral("rolli-sandbox"), QStringLiteral("get_agent_run"));
        m_window->console()->form()->setArguments(
            QJsonObject{{QStringLiteral("id"), QStringLiteral("00000000-0000-4000-8000-000000000000")}});
        QVERIFY(m_window->console()->send());
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 5000);
        QTRY_COMPARE(lastStatus(), S::ToolError);
        QCOMPARE(calls()->index(calls()->rowCount() - 1, CallTableModel::Status).data().toString(),
                 QStringLiteral("allowed · tool error"));
    }

    void fitsA1280x720ScreenInLightAndDark()
    {
        m_window->showNormal();
        m_window->resize(1280, 720);
        QCoreApplication::processEvents();
        m_window->tabs()->setCurrentIndex(MainWindow::LiveTab);
        QCoreApplication::processEvents();
        // With the Approvals panel open the window still fits the screen's width.
        m_window->findChild<QDockWidget*>(QStringLiteral("approvals"))->show();
        QCoreApplication::processEvents();
        QVERIFY2(m_window->minimumSizeHint().width() <= 1280,
                 qPrintable(QString::number(m_window->minimumSizeHint().width())));
        m_window->findChild<QDockWidget*>(QStringLiteral("approvals"))->hide();
        QCoreApplication::processEvents();
        // Every column of Live calls, Status included, is in view at this width.
        QTableView* live = m_window->liveCalls()->table();
        const int statusRight = live->horizontalHeader()->sectionViewportPosition(CallTableModel::Status) +
                                live->horizontalHeader()->sectionSize(CallTableModel::Status);
        QVERIFY2(statusRight <= live->viewport()->width(),
                 qPrintable(QStringLiteral("%1 > %2").arg(statusRight).arg(live->viewport()->width())));
        shoot(QStringLiteral("1280x720-live-calls"));
        // Nothing selected in the editor: the table has the room, not an empty detail panel.
        m_window->tabs()->setCurrentIndex(MainWindow::PolicyTab);
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("rolli-sandbox"));
        editor->toolTable()->setCurrentIndex({});
        QCoreApplication::processEvents();
        QVERIFY(editor->toolTable()->height() >
                8 * editor->toolTable()->verticalHeader()->defaultSectionSize());
        shoot(QStringLiteral("1280x720-policy"));
        m_window->tabs()->setCurrentIndex(MainWindow::HistoryTab);
        shoot(QStringLiteral("1280x720-history"));
        m_window->tabs()->setCurrentIndex(MainWindow::StatsTab);
        m_window->stats()->refresh();
        shoot(QStringLiteral("1280x720-stats"));

        // A dark system palette: the colours that mean something stay readable on it.
        const QPalette light = QApplication::palette();
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
        dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
        dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
        dark.setColor(QPalette::ButtonText, QColor(0xee, 0xee, 0xee));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        QApplication::setPalette(dark);
        for (S st : {S::Allowed, S::Denied, S::Limited, S::ToolError, S::Pending})
            QVERIFY2(CallTableModel::statusColor(st).lightness() > 140,
                     qPrintable(CallTableModel::statusName(st)));
        m_window->stats()->refresh();
        shoot(QStringLiteral("dark-stats"));
        m_window->tabs()->setCurrentIndex(MainWindow::LiveTab);
        shoot(QStringLiteral("dark-live-calls"));
        m_window->tabs()->setCurrentIndex(MainWindow::PolicyTab);
        editor->selectTool(QStringLiteral("rerun_agent_run"));
        shoot(QStringLiteral("dark-policy"));
        QApplication::setPalette(light);
        m_window->resize(1920, 1080);
        m_window->tabs()->setCurrentIndex(MainWindow::LiveTab);
        shoot(QStringLiteral("1920x1080-live-calls"));
        m_window->resize(1500, 900);
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_proxy.reset();
        m_audit.reset();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
