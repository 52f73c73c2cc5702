// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyEditor.h"

#include "JsonEdit.h"
#include "PolicyDocument.h"
#include "Tones.h"
#include "ToolDetailPanel.h"
#include "ToolTableDelegate.h"
#include "ToolTableModel.h"
#include "WhatIfPanel.h"
#include "policy/PolicyParser.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
// A, D, H, P on the tool table set the state of the current tool: the keyboard's one click.
class StateKeys : public QObject
{
public:
    StateKeys(QTableView* table, ToolTableModel* model)
        : QObject(table)
        , m_table(table)
        , m_model(model)
    {
        table->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() != QEvent::KeyPress)
            return false;
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))
            return false;
        static const QHash<int, policyedit::ToolState> keys{{Qt::Key_A, policyedit::ToolState::Allow},
                                                            {Qt::Key_D, policyedit::ToolState::Deny},
                                                            {Qt::Key_H, policyedit::ToolState::Hide},
                                                            {Qt::Key_P, policyedit::ToolState::Approve}};
        const auto it = keys.find(key->key());
        if (it == keys.end() || !m_table->currentIndex().isValid())
            return false;
        m_model->setState(m_table->currentIndex().row(), *it);
        return true;
    }

private:
    QTableView* m_table;
    ToolTableModel* m_model;
};
} // namespace

PolicyEditor::PolicyEditor(PolicyDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_model(new ToolTableModel(document, this))
    , m_toolbar(new QToolBar(this))
    , m_default(new QComboBox(this))
    , m_timeout(new QSpinBox(this))
    , m_onTimeout(new QComboBox(this))
    , m_table(new QTableView(this))
    , m_detail(new ToolDetailPanel(document, this))
    , m_json(new JsonEdit(this))
    , m_problems(new QListWidget(this))
    , m_validity(new QLabel(this))
    , m_whatIf(new WhatIfPanel(document, this))
    , m_outer(new QSplitter(Qt::Horizontal, this))
    , m_left(new QSplitter(Qt::Vertical, this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    QAction* save =
        m_toolbar->addAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("&Save and apply"));
    save->setShortcut(QKeySequence::Save);
    save->setToolTip(tr("Write the policy file atomically; the running proxy uses it at once (Ctrl+S)"));
    connect(save, &QAction::triggered, this, &PolicyEditor::save);
    QAction* undo = m_document->undoStack()->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setIcon(QIcon::fromTheme(QStringLiteral("edit-undo")));
    QAction* redo = m_document->undoStack()->createRedoAction(this, tr("Redo"));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)});
    redo->setIcon(QIcon::fromTheme(QStringLiteral("edit-redo")));
    // The editor's own undo, wherever the focus is in it (the table, the detail panel; the JSON pane
    // through eventFilter()). On the toolbar alone they would need the toolbar to have the focus.
    for (QAction* a : {undo, redo}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
    }
    save->setShortcutContext(Qt::WidgetWithChildrenShortcut); // Ctrl+S is the window's File menu
    connect(m_document->undoStack(), &QUndoStack::cleanChanged, this, [this, save](bool clean) {
        save->setText(clean ? tr("&Save and apply") : tr("&Save and apply (unsaved edits)"));
        emit modifiedChanged(!clean);
    });
    m_toolbar->addAction(undo);
    m_toolbar->addAction(redo);
    m_toolbar->addSeparator();
    connect(m_toolbar->addAction(tr("Apply &recommended policy")), &QAction::triggered, this,
            &PolicyEditor::applyRecommended);
    connect(m_toolbar->addAction(tr("&Limits for all tools")), &QAction::triggered, this, [this] {
        m_table->clearSelection();
        m_detail->showTool(ToolDetailPanel::AllTools, nullptr);
        m_detailArea->show();
    });
    connect(m_toolbar->addAction(tr("&Import…")), &QAction::triggered, this, &PolicyEditor::importPolicy);
    connect(m_toolbar->addAction(tr("&Export…")), &QAction::triggered, this, &PolicyEditor::exportPolicy);
    m_toolbar->addSeparator();
    m_whatIfAction = m_toolbar->addAction(tr("&What would change?"));
    m_whatIfAction->setCheckable(true);
    m_whatIfAction->setEnabled(false); // until there is an audit log to replay
    m_whatIfAction->setToolTip(
        tr("Replay the audit history against this policy, saved or not: which calls would "
           "be decided differently"));
    connect(m_whatIfAction, &QAction::toggled, m_whatIf, &QWidget::setVisible);
    // Reachable by Tab: a keyboard user has no other way to Import, Export or ask "What would change?".
    for (QToolButton* b : m_toolbar->findChildren<QToolButton*>())
        b->setFocusPolicy(Qt::TabFocus);
    layout->addWidget(m_toolbar);
    // Policy-wide settings in a row of their own under the actions.
    auto* settings = new QHBoxLayout;
    settings->setContentsMargins(8, 0, 8, 0);
    auto* defaultLabel = new QLabel(tr("De&fault for unlisted tools:"), this);
    defaultLabel->setBuddy(m_default);
    settings->addWidget(defaultLabel);
    for (auto d : {PolicyDefault::Deny, PolicyDefault::Allow, PolicyDefault::Approve})
        m_default->addItem(policyDefaultName(d), int(d));
    m_default->setToolTip(tr("What happens to a tool the policy does not name"));
    settings->addWidget(m_default);
    settings->addSpacing(16);
    auto* timeoutLabel = new QLabel(tr("Approval &timeout:"), this);
    timeoutLabel->setBuddy(m_timeout);
    settings->addWidget(timeoutLabel);
    m_timeout->setRange(1, ApprovalSettings::MaxTimeoutSeconds);
    m_timeout->setSuffix(tr(" s"));
    settings->addWidget(m_timeout);
    settings->addWidget(new QLabel(tr("then"), this));
    m_onTimeout->addItem(tr("deny"), int(TimeoutOutcome::Deny));
    m_onTimeout->addItem(tr("allow"), int(TimeoutOutcome::Allow));
    settings->addWidget(m_onTimeout);
    settings->addStretch();
    connect(m_default, &QComboBox::activated, this, &PolicyEditor::writeSettings);
    connect(m_timeout, &QSpinBox::editingFinished, this, &PolicyEditor::writeSettings);
    connect(m_onTimeout, &QComboBox::activated, this, &PolicyEditor::writeSettings);
    layout->addLayout(settings);

    m_table->setModel(m_model);
    m_table->setItemDelegate(new ToolTableDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setMouseTracking(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 12);
    m_table->setAccessibleName(tr("Tools"));
    m_table->setTabKeyNavigation(false); // Tab leaves the table; arrows move in it
    new StateKeys(m_table, m_model);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &PolicyEditor::onCurrentRowChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_table->resizeColumnsToContents();
        onCurrentRowChanged();
    });

    m_left->addWidget(m_table);
    // The detail panel scrolls rather than squeezing the table: at 1280x720 the table keeps half.
    m_detailArea = new QScrollArea(this);
    m_detailArea->setWidget(m_detail);
    m_detailArea->setWidgetResizable(true);
    m_detailArea->setFrameShape(QFrame::NoFrame);
    m_detailArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_left->addWidget(m_detailArea);
    m_left->setCollapsible(0, false);
    m_left->setStretchFactor(0, 3);
    m_left->setStretchFactor(1, 2);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_json->setJsonDocument(m_document->text());
    m_json->installEventFilter(this);
    m_json->setAccessibleName(tr("Policy JSON"));
    rightLayout->addWidget(m_validity);
    rightLayout->addWidget(m_json, 1);
    m_problems->setMaximumHeight(110);
    m_problems->setAccessibleName(tr("Problems"));
    rightLayout->addWidget(m_problems);
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        m_json->goTo(item->data(Qt::UserRole).toInt(), item->data(Qt::UserRole + 1).toInt());
    });
    connect(m_problems, &QListWidget::itemClicked, m_problems, &QListWidget::itemActivated);

    m_outer->addWidget(m_left);
    m_outer->addWidget(right);
    m_outer->addWidget(m_whatIf);
    m_whatIf->hide();
    m_outer->setStretchFactor(0, 3);
    m_outer->setStretchFactor(1, 2);
    m_outer->setStretchFactor(2, 2);
    m_outer->setSizes({720, 480, 420});
    m_left->setSizes({420, 300});
    layout->addWidget(m_outer, 1);

    connect(m_document, &PolicyDocument::diagnosticsChanged, this, &PolicyEditor::onDiagnostics);
    connect(m_document, &PolicyDocument::policyChanged, this, &PolicyEditor::onPolicyChanged);
    onDiagnostics();
    onPolicyChanged();
}

void PolicyEditor::setReplaySource(const QString& auditPath, const QString& server)
{
    m_whatIf->setSource(auditPath, server);
    m_whatIfAction->setEnabled(!auditPath.isEmpty());
}

QList<QSplitter*> PolicyEditor::splitters() const
{
    return {m_outer, m_left};
}

void PolicyEditor::setCatalogue(const ToolCatalogue& catalogue)
{
    const QString current = m_detail->tool();
    m_model->setCatalogue(catalogue);
    if (!current.isEmpty())
        selectTool(current);
}

void PolicyEditor::selectTool(const QString& tool)
{
    const int row = m_model->rowOf(tool);
    if (row < 0)
        return;
    m_table->setCurrentIndex(m_model->index(row, ToolTableModel::Name));
    m_table->scrollTo(m_table->currentIndex());
}

void PolicyEditor::onCurrentRowChanged()
{
    const QModelIndex current = m_table->currentIndex();
    const QString tool = current.isValid() ? m_model->toolAt(current.row()) : QString();
    m_detail->showTool(tool, m_model->catalogue().find(tool));
    // Nothing selected: the table takes the room (at 1280x720 an empty panel left it two rows).
    m_detailArea->setVisible(!tool.isEmpty());
}

void PolicyEditor::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::ApplicationPaletteChange)
        onDiagnostics(); // its colours come from the palette
}

bool PolicyEditor::eventFilter(QObject* watched, QEvent* event)
{
    // The JSON pane's text undo is off (the document's stack records every kind of edit): its
    // Ctrl+Z and Ctrl+Shift+Z go to that stack.
    if (watched == m_json && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        const QKeySequence pressed(key->keyCombination());
        if (key->matches(QKeySequence::Undo)) {
            m_document->undoStack()->undo();
            return true;
        }
        if (key->matches(QKeySequence::Redo) || pressed == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)) {
            m_document->undoStack()->redo();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void PolicyEditor::onDiagnostics()
{
    const Diagnostics& d = m_document->diagnostics();
    m_json->setDiagnostics(d);
    m_problems->clear();
    for (const Diagnostic& problem : d) {
        auto* item = new QListWidgetItem(QIcon::fromTheme(QStringLiteral("dialog-error")),
                                         problem.line > 0 ? QStringLiteral("%1:%2  %3  %4")
                                                                .arg(problem.line)
                                                                .arg(problem.column)
                                                                .arg(problem.pointer, problem.message)
                                                          : problem.toString(),
                                         m_problems);
        item->setData(Qt::UserRole, problem.line);
        item->setData(Qt::UserRole + 1, problem.column);
        item->setForeground(tone(Tone::Bad, palette()));
    }
    m_problems->setVisible(!d.isEmpty());
    if (d.isEmpty())
        m_validity->setText(
            tr("<span style='color:%1'>✔ Valid policy</span>").arg(tone(Tone::Good, palette()).name()));
    else
        m_validity->setText(tr("<span style='color:%1'>✘ %n problem(s): the proxy and the table keep the "
                               "last valid policy</span>",
                               nullptr, int(d.size()))
                                .arg(tone(Tone::Bad, palette()).name()));
    m_table->setEnabled(true);
    m_table->setToolTip(d.isEmpty() ? QString() : tr("Fix the JSON to edit the table again"));
}

void PolicyEditor::onPolicyChanged()
{
    const auto& p = m_document->policy();
    if (!p)
        return;
    m_updating = true;
    m_default->setCurrentIndex(m_default->findData(int(p->defaultAction)));
    m_timeout->setValue(p->approvalTimeoutSeconds());
    m_onTimeout->setCurrentIndex(m_onTimeout->findData(int(p->approvalTimeoutOutcome())));
    m_updating = false;
    if (m_table->model()->rowCount() && m_table->columnWidth(0) < 40)
        m_table->resizeColumnsToContents();
}

void PolicyEditor::writeSettings()
{
    if (m_updating || !m_document->policy() || !m_document->isValid())
        return;
    Policy edited = *m_document->policy();
    edited.defaultAction = PolicyDefault(m_default->currentData().toInt());
    if (m_timeout->value() != edited.approvalTimeoutSeconds() ||
        TimeoutOutcome(m_onTimeout->currentData().toInt()) != edited.approvalTimeoutOutcome()) {
        if (!edited.approval)
            edited.approval = ApprovalSettings();
        edited.approval->timeoutSeconds = m_timeout->value();
        edited.approval->onTimeout = TimeoutOutcome(m_onTimeout->currentData().toInt());
    }
    m_document->setPolicy(edited, tr("Policy settings"));
}

void PolicyEditor::applyRecommended()
{
    Policy p = recommendedPolicy(m_model->catalogue().tools());
    if (m_document->policy()) {
        p.description = m_document->policy()->description;
        p.approval = m_document->policy()->approval;
    }
    m_document->setPolicy(p, tr("Apply recommended policy"));
    emit status(tr("Recommended policy applied from risk classes (undo with Ctrl+Z); save to use it"));
}

bool PolicyEditor::save()
{
    QString path = m_document->filePath();
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save policy"), QString(), tr("Policy (*.json)"));
        if (path.isEmpty())
            return false;
    }
    QString error;
    PolicyDocument::SaveError why = PolicyDocument::SaveError::None;
    if (!m_document->save(path, &error, PolicyDocument::SaveMode::Safe, &why)) {
        if (why != PolicyDocument::SaveError::ChangedOnDisk) {
            QMessageBox::warning(this, tr("Cannot save the policy"), error);
            return false;
        }
        QMessageBox box(QMessageBox::Warning, tr("The policy file changed"), error, QMessageBox::NoButton,
                        this);
        QPushButton* overwrite = box.addButton(tr("Replace it with my edits"), QMessageBox::DestructiveRole);
        QPushButton* reload = box.addButton(tr("Reload it (lose my edits)"), QMessageBox::ResetRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        if (box.clickedButton() == reload) {
            QString readError;
            if (!m_document->load(path, &readError))
                QMessageBox::warning(this, tr("Cannot read the policy"), readError);
            else
                emit status(tr("Policy reloaded from %1").arg(path));
            return false;
        }
        if (box.clickedButton() != overwrite ||
            !m_document->save(path, &error, PolicyDocument::SaveMode::Overwrite)) {
            if (box.clickedButton() == overwrite)
                QMessageBox::warning(this, tr("Cannot save the policy"), error);
            return false;
        }
    }
    emit saved(path);
    emit status(tr("Policy saved to %1 and applied").arg(path));
    return true;
}

void PolicyEditor::importPolicy()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import a PolicyLayer policy.json"), QString(),
                                                      tr("Policy (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    const PolicyLoad load = PolicyParser::parseFile(path);
    if (!load.policy) {
        QStringList lines;
        for (const Diagnostic& d : load.errors)
            lines << d.toString();
        QMessageBox::warning(this, tr("Not a valid policy"),
                             tr("%1 cannot be imported:\n%2").arg(path, lines.join(u'\n')));
        return;
    }
    m_document->setPolicy(*load.policy, tr("Import %1").arg(path));
    emit status(tr("Imported %1; save to apply it").arg(path));
}

void PolicyEditor::exportPolicy()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export policy.json"),
                                                      QStringLiteral("policy.json"), tr("Policy (*.json)"));
    if (path.isEmpty())
        return;
    PolicyDocument copy;
    copy.reset(m_document->text()->toPlainText().toUtf8());
    QString error;
    if (!copy.save(path, &error))
        QMessageBox::warning(this, tr("Cannot export the policy"), error);
    else
        emit status(tr("Exported to %1").arg(path));
}

} // namespace gatehouse::ui
