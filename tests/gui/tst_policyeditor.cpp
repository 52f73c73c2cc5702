// SPDX-License-Identifier: GPL-3.0-or-later
// The policy editor: the tool table, the detail panel and the JSON pane are views of one document.
#include "ConditionEditor.h"
#include "JsonEdit.h"
#include "PolicyDocument.h"
#include "PolicyEditor.h"
#include "ToolDetailPanel.h"
#include "ToolTableModel.h"
#include "policy/PolicyParser.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QAbstractItemModelTester>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;
using policyedit::ToolState;

class TestPolicyEditor : public QObject
{
    Q_OBJECT

    ToolCatalogue rolli()
    {
        QString error;
        auto c = ToolCatalogue::fromFile(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"), &error);
        if (!c)
            qFatal("%s", qPrintable(error));
        return *c;
    }
    QByteArray recommended()
    {
        QFile f(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json"));
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }
    static QJsonObject json(PolicyDocument& doc)
    {
        return QJsonDocument::fromJson(doc.text()->toPlainText().toUtf8()).object();
    }
    static QString toolAction(PolicyDocument& doc, const QString& tool)
    {
        return json(doc)[QStringLiteral("tools")][tool][QStringLiteral("action")].toString();
    }
    static void replaceInText(PolicyDocument& doc, const QString& from, const QString& to)
    {
        // As a person types: through a cursor on the document.
        const QString text = doc.text()->toPlainText();
        const qsizetype at = text.indexOf(from);
        QVERIFY2(at >= 0, qPrintable(from));
        QTextCursor c(doc.text());
        c.setPosition(int(at));
        c.setPosition(int(at + from.size()), QTextCursor::KeepAnchor);
        c.insertText(to);
    }

private slots:
    void tableShowsEveryCatalogueToolWithItsState()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        ToolTableModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalogue(rolli());
        QCOMPARE(model.rowCount(), 30);
        const int del = model.rowOf(QStringLiteral("delete_agent_schedule"));
        QCOMPARE(model.index(del, ToolTableModel::State).data(ToolTableModel::StateRole).toInt(),
                 int(ToolState::Hide));
        QCOMPARE(model.index(del, ToolTableModel::Risk).data().toString(), QStringLiteral("Destructive"));
        const int rerun = model.rowOf(QStringLiteral("rerun_agent_run"));
        QCOMPARE(model.index(rerun, ToolTableModel::Summary).data().toString(),
                 QStringLiteral("10/minute per grant"));
        QVERIFY(model.index(rerun, ToolTableModel::Name)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(u"rerun", Qt::CaseInsensitive));
    }

    void stateChangeInTableChangesJsonAndBack()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        ToolTableModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalogue(rolli());
        const int row = model.rowOf(QStringLiteral("keyword_search"));
        QVERIFY(model.setState(row, ToolState::Deny));
        QCOMPARE(toolAction(doc, QStringLiteral("keyword_search")), QStringLiteral("deny"));
        QVERIFY(PolicyParser::parse(doc.text()->toPlainText().toUtf8()).policy);

        // And back: typing in the JSON changes the table.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        replaceInText(doc, QStringLiteral("\"keyword_search\": {\n      \"action\": \"deny\""),
                      QStringLiteral("\"keyword_search\": {\n      \"action\": \"approve\""));
        QCOMPARE(model.index(row, ToolTableModel::State).data(ToolTableModel::StateRole).toInt(),
                 int(ToolState::Approve));
        QVERIFY(!changed.isEmpty());

        // Hide puts it on the hide list; Allow takes it off again.
        QVERIFY(model.setState(row, ToolState::Hide));
        QVERIFY(json(doc)[QStringLiteral("hide")].toArray().contains(QStringLiteral("keyword_search")));
        QVERIFY(model.setState(row, ToolState::Allow));
        QVERIFY(!json(doc)[QStringLiteral("hide")].toArray().contains(QStringLiteral("keyword_search")));
        QCOMPARE(toolAction(doc, QStringLiteral("keyword_search")), QStringLiteral("allow"));
    }

    void oneClickOnASegmentSetsTheState()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        PolicyEditor editor(&doc);
        editor.setCatalogue(rolli());
        editor.resize(1400, 800);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QTableView* table = editor.toolTable();
        const int row = editor.toolModel()->rowOf(QStringLiteral("start_agent_run"));
        const QRect cell = table->visualRect(editor.toolModel()->index(row, ToolTableModel::State));
        QVERIFY(cell.width() > 100);
        // Segments: Allow | Deny | Hide | Approve, equal widths; click the fourth.
        const QPoint approve(cell.left() + 4 + (cell.width() - 8) * 7 / 8, cell.center().y());
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, approve);
        QCOMPARE(toolAction(doc, QStringLiteral("start_agent_run")), QStringLiteral("approve"));
        // The keyboard: D on the current row denies it.
        table->setFocus();
        table->setCurrentIndex(editor.toolModel()->index(row, 0));
        QTest::keyClick(table, Qt::Key_D);
        QCOMPARE(toolAction(doc, QStringLiteral("start_agent_run")), QStringLiteral("deny"));
    }

    void invalidJsonShowsErrorsAndKeepsTheLastGoodPolicy()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        PolicyEditor editor(&doc);
        editor.setCatalogue(rolli());
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const int row = editor.toolModel()->rowOf(QStringLiteral("keyword_search"));

        replaceInText(doc, QStringLiteral("\"default\": \"deny\""), QStringLiteral("\"default\": \"maybe\""));
        QVERIFY(!doc.isValid());
        QVERIFY(doc.policy()); // the last good one stays
        QCOMPARE(doc.policy()->defaultAction, PolicyDefault::Deny);
        QCOMPARE(doc.diagnostics().size(), 1);
        QCOMPARE(doc.diagnostics().first().pointer, QStringLiteral("/default"));
        QVERIFY(editor.problemList()->isVisible());
        QCOMPARE(editor.problemList()->count(), 1);
        QVERIFY(editor.problemList()->item(0)->text().contains(QStringLiteral("/default")));
        QCOMPARE(editor.jsonEdit()->extraSelections().size(), 1); // the wavy underline
        // The table refuses edits that would throw the broken text away.
        QVERIFY(!editor.toolModel()->setState(row, ToolState::Deny));
        QVERIFY(doc.text()->toPlainText().contains(QStringLiteral("maybe")));
        // Clicking the problem puts the cursor on it.
        emit editor.problemList()->itemActivated(editor.problemList()->item(0));
        QCOMPARE(editor.jsonEdit()->textCursor().blockNumber() + 1, doc.diagnostics().first().line);

        // A syntax error too: broken JSON, located.
        replaceInText(doc, QStringLiteral("\"maybe\""), QStringLiteral("\"deny\","));
        QVERIFY(!doc.isValid());
        QVERIFY(doc.diagnostics().first().line > 0);

        // Fixed: valid again, and the table works.
        replaceInText(doc, QStringLiteral("\"deny\",,"), QStringLiteral("\"allow\","));
        QVERIFY(doc.isValid());
        QCOMPARE(doc.policy()->defaultAction, PolicyDefault::Allow);
        QVERIFY(!editor.problemList()->isVisible());
        QVERIFY(editor.toolModel()->setState(row, ToolState::Deny));
    }

    void undoAndRedoSpanTableAndJsonEdits()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        ToolTableModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalogue(rolli());
        const QString original = doc.text()->toPlainText();
        QVERIFY(!doc.isModified());

        QVERIFY(model.setState(model.rowOf(QStringLiteral("get_usage")), ToolState::Deny)); // table
        const QString afterTable = doc.text()->toPlainText();
        replaceInText(doc, QStringLiteral("\"default\": \"deny\""),
                      QStringLiteral("\"default\": \"allow\"")); // JSON
        QCOMPARE(doc.undoStack()->count(), 2);
        QVERIFY(doc.isModified());

        doc.undoStack()->undo();
        QCOMPARE(doc.text()->toPlainText(), afterTable);
        QCOMPARE(doc.policy()->defaultAction, PolicyDefault::Deny);
        doc.undoStack()->undo();
        QCOMPARE(doc.text()->toPlainText(), original);
        QCOMPARE(model.index(model.rowOf(QStringLiteral("get_usage")), ToolTableModel::State)
                     .data(ToolTableModel::StateRole)
                     .toInt(),
                 int(ToolState::Allow));
        QVERIFY(!doc.isModified());
        doc.undoStack()->redo();
        doc.undoStack()->redo();
        QCOMPARE(doc.policy()->defaultAction, PolicyDefault::Allow);
        QCOMPARE(toolAction(doc, QStringLiteral("get_usage")), QStringLiteral("deny"));
    }

    void tableEditsKeepTheJsonCursorWhereItWas()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        PolicyEditor editor(&doc);
        editor.setCatalogue(rolli());
        // The cursor on the "version" line, below the tools the table will change.
        QTextCursor c = editor.jsonEdit()->textCursor();
        const QString text = doc.text()->toPlainText();
        c.setPosition(int(text.lastIndexOf(QStringLiteral("\"version\""))) + 3);
        editor.jsonEdit()->setTextCursor(c);
        const QString lineBefore = editor.jsonEdit()->textCursor().block().text();
        const int columnBefore = editor.jsonEdit()->textCursor().positionInBlock();
        QVERIFY(editor.toolModel()->setState(editor.toolModel()->rowOf(QStringLiteral("get_usage")),
                                             ToolState::Deny));
        QCOMPARE(editor.jsonEdit()->textCursor().block().text(), lineBefore);
        QCOMPARE(editor.jsonEdit()->textCursor().positionInBlock(), columnBefore);
    }

    void detailPanelEditsLimitsAndRules()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        PolicyEditor editor(&doc);
        editor.setCatalogue(rolli());
        editor.show();
        editor.selectTool(QStringLiteral("keyword_search"));
        auto* panel = editor.findChild<ToolDetailPanel*>();
        QCOMPARE(panel->tool(), QStringLiteral("keyword_search"));

        auto button = [&](const QString& text) {
            for (QPushButton* b : panel->findChildren<QPushButton*>())
                if (b->text().remove(u'&') == text)
                    return b;
            return static_cast<QPushButton*>(nullptr);
        };
        button(QStringLiteral("Add limit"))->click();
        const QJsonArray limits =
            json(doc)[QStringLiteral("tools")][QStringLiteral("keyword_search")][QStringLiteral("limits")]
                .toArray();
        QCOMPARE(limits.size(), 1);
        QCOMPARE(limits[0][QStringLiteral("counter")].toString(), QStringLiteral("keyword_search_rate"));
        QCOMPARE(limits[0][QStringLiteral("scope")].toString(), QStringLiteral("grant"));

        // A rule from the schema: args.max_post (integer) gt 500 → deny.
        auto* condition = panel->findChild<ConditionEditor*>();
        auto* path = condition->findChildren<QComboBox*>().at(0);
        const int maxPost = path->findData(QStringLiteral("args.max_post"));
        QVERIFY(maxPost >= 0);
        path->setCurrentIndex(maxPost);
        auto* op = condition->findChildren<QComboBox*>().at(1);
        QCOMPARE(op->itemText(0), QStringLiteral("lte")); // numeric operators for an integer
        QVERIFY(op->findText(QStringLiteral("regex")) < 0);
        op->setCurrentIndex(op->findText(QStringLiteral("gt")));
        condition->findChild<QDoubleSpinBox*>()->setValue(500);
        button(QStringLiteral("Add rule"))->click();
        const QJsonArray denyIf =
            json(doc)[QStringLiteral("tools")][QStringLiteral("keyword_search")][QStringLiteral("deny_if")]
                .toArray();
        QCOMPARE(denyIf.size(), 1);
        const QJsonObject cond = denyIf[0][QStringLiteral("conditions")][0].toObject();
        QCOMPARE(cond[QStringLiteral("path")].toString(), QStringLiteral("args.max_post"));
        QCOMPARE(cond[QStringLiteral("op")].toString(), QStringLiteral("gt"));
        QCOMPARE(cond[QStringLiteral("value")].toDouble(), 500.0);
        QVERIFY(doc.isValid());
        QCOMPARE(
            editor.toolModel()
                ->index(editor.toolModel()->rowOf(QStringLiteral("keyword_search")), ToolTableModel::State)
                .data(ToolTableModel::CustomRole)
                .toBool(),
            true);
        // All three edits undo one by one.
        QCOMPARE(doc.undoStack()->count(), 2);
    }

    void allToolsLimitsAreEditedLikeATool()
    {
        PolicyDocument doc;
        doc.reset(recommended());
        ToolDetailPanel panel(&doc);
        panel.showTool(ToolDetailPanel::AllTools, nullptr);
        for (QPushButton* b : panel.findChildren<QPushButton*>())
            if (b->text().remove(u'&') == QStringLiteral("Add limit"))
                b->click();
        const QJsonArray limits = json(doc)[QStringLiteral("all_tools")][QStringLiteral("limits")].toArray();
        QCOMPARE(limits.size(), 1);
        QCOMPARE(limits[0][QStringLiteral("counter")].toString(), QStringLiteral("all_tools_rate"));
        QVERIFY(doc.isValid());
        QVERIFY(doc.policy()->allTools && doc.policy()->allTools->limits->size() == 1);
        doc.undoStack()->undo();
        QVERIFY(!json(doc).contains(QStringLiteral("all_tools")));
    }

    void conditionOperatorsFitTheArgumentType()
    {
        QCOMPARE(ConditionEditor::opsFor(QStringLiteral("boolean")),
                 (QList<ConditionOp>{ConditionOp::Eq, ConditionOp::Neq, ConditionOp::Exists}));
        QVERIFY(!ConditionEditor::opsFor(QStringLiteral("integer")).contains(ConditionOp::Regex));
        QVERIFY(ConditionEditor::opsFor(QStringLiteral("string")).contains(ConditionOp::Regex));
        QCOMPARE(ConditionEditor::opsFor(QStringLiteral("array")),
                 (QList<ConditionOp>{ConditionOp::Contains, ConditionOp::Exists}));
        const auto paths =
            ConditionEditor::paths(rolli().find(QStringLiteral("keyword_search"))->inputSchema);
        QStringList names;
        for (const auto& p : paths)
            names << p.first;
        QVERIFY(names.contains(QStringLiteral("args.query")));
        QVERIFY(names.contains(QStringLiteral("args.platforms")));
    }

    void savesAtomicallyAndRefusesInvalidText()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.json"));
        PolicyDocument doc;
        doc.reset(recommended(), path);
        ToolTableModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalogue(rolli());
        QVERIFY(model.setState(model.rowOf(QStringLiteral("get_usage")), ToolState::Deny));
        QString error;
        QVERIFY(doc.save(path, &error));
        QVERIFY(!doc.isModified());
        const PolicyLoad load = PolicyParser::parseFile(path);
        QVERIFY(load.policy);
        QCOMPARE(load.policy->tool(QStringLiteral("get_usage"))->action, std::optional(ToolAction::Deny));
        replaceInText(doc, QStringLiteral("\"version\""), QStringLiteral("\"versio\""));
        QVERIFY(!doc.save(path, &error));
        QVERIFY(error.contains(QStringLiteral("error")));
        QVERIFY(PolicyParser::parseFile(path).policy); // the file on disk is untouched
    }

    void neverSavesOverAChangeItHasNotSeen()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.json"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(recommended());
        }
        PolicyDocument doc;
        QString error;
        QVERIFY(doc.load(path, &error));
        ToolTableModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalogue(rolli());
        QVERIFY(model.setState(model.rowOf(QStringLiteral("get_usage")), ToolState::Deny));
        // Another program writes the file meanwhile (another editor, "always deny" elsewhere).
        QByteArray other = recommended();
        other.replace("\"default\": \"deny\"", "\"default\": \"approve\"");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(other);
        }
        PolicyDocument::SaveError why = PolicyDocument::SaveError::None;
        QVERIFY(!doc.save(path, &error, PolicyDocument::SaveMode::Safe, &why));
        QCOMPARE(why, PolicyDocument::SaveError::ChangedOnDisk);
        QVERIFY(error.contains(QStringLiteral("changed on disk")));
        QCOMPARE(QFile(path).size(), qint64(other.size())); // untouched
        QVERIFY(doc.isModified());
        // Told to, it replaces it; and the next save is safe again.
        QVERIFY(doc.save(path, &error, PolicyDocument::SaveMode::Overwrite));
        QVERIFY(model.setState(model.rowOf(QStringLiteral("get_usage")), ToolState::Allow));
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        // A change the document took in (merged as an edit) is no reason to refuse.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite | QIODevice::Truncate));
        f.write(other);
        f.close();
        doc.acknowledgeFileText(other);
        QVERIFY(model.setState(model.rowOf(QStringLiteral("get_usage")), ToolState::Deny));
        QVERIFY2(doc.save(path, &error), qPrintable(error));
    }

    void recommendedPolicyFromRiskClassesMatchesTheShippedOne()
    {
        // The button's policy decides like resources/policies/rolli-recommended.json for every tool.
        const ToolCatalogue catalogue = rolli();
        const Policy generated = recommendedPolicy(catalogue.tools());
        const Policy shipped = *PolicyParser::parse(recommended()).policy;
        for (const ToolInfo& t : catalogue.tools()) {
            QCOMPARE(policyedit::toolState(generated, t.name), policyedit::toolState(shipped, t.name));
            QCOMPARE(policyedit::summarize(generated, t.name), policyedit::summarize(shipped, t.name));
        }
    }
};

QTEST_MAIN(TestPolicyEditor)
#include "tst_policyeditor.moc"
