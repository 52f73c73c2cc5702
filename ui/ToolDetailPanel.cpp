// SPDX-License-Identifier: GPL-3.0-or-later
#include "ToolDetailPanel.h"

#include "ConditionEditor.h"
#include "PolicyDocument.h"
#include "Tones.h"
#include "ToolTableDelegate.h"
#include "policy/PolicyEdit.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
enum LimitColumn
{
    Counter,
    Max,
    Window,
    Scope
};
enum class RuleKind
{
    DenyIf,
    ApproveIf,
    Require
};

std::optional<QList<Rule>>& rulesOf(ToolPolicy& t, RuleKind kind)
{
    switch (kind) {
    case RuleKind::DenyIf:
        return t.denyIf;
    case RuleKind::ApproveIf:
        return t.approveIf;
    case RuleKind::Require:
        break;
    }
    return t.require;
}

QString describeRule(const Rule& r)
{
    QStringList parts;
    if (r.conditions)
        for (const Condition& c : *r.conditions)
            parts << c.describe();
    QString text = parts.isEmpty() ? QObject::tr("always") : parts.join(QStringLiteral(" and "));
    if (r.onDeny)
        text += QStringLiteral("  → \"%1\"").arg(*r.onDeny);
    return text;
}
} // namespace

std::optional<QList<Limit>>& ToolDetailPanel::limitsOf(Policy& policy) const
{
    if (m_tool != AllTools)
        return policyedit::toolPolicy(policy, m_tool).limits;
    if (!policy.allTools)
        policy.allTools = gatehouse::AllTools();
    return policy.allTools->limits;
}

ToolDetailPanel::ToolDetailPanel(PolicyDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_title(new QLabel(this))
    , m_description(new QLabel(this))
    , m_limits(new QTableWidget(0, 4, this))
    , m_removeLimit(new QPushButton(tr("Remove"), this))
    , m_onDeny(new QLineEdit(this))
    , m_rules(new QListWidget(this))
    , m_removeRule(new QPushButton(tr("Remove"), this))
    , m_ruleKind(new QComboBox(this))
    , m_condition(new ConditionEditor(this))
    , m_ruleMessage(new QLineEdit(this))
    , m_ruleError(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    m_title->setTextFormat(Qt::RichText);
    m_description->setWordWrap(true);
    m_description->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_title);
    layout->addWidget(m_description);

    auto* limitsBox = new QGroupBox(tr("&Limits"), this);
    auto* limitsLayout = new QVBoxLayout(limitsBox);
    m_limits->setHorizontalHeaderLabels({tr("Counter"), tr("Max"), tr("Window"), tr("Scope")});
    m_limits->horizontalHeader()->setSectionResizeMode(Counter, QHeaderView::Stretch);
    m_limits->verticalHeader()->hide();
    m_limits->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_limits->setMaximumHeight(130);
    limitsLayout->addWidget(m_limits);
    auto* limitButtons = new QHBoxLayout;
    auto* addLimit = new QPushButton(tr("Add limit"), this);
    limitButtons->addWidget(addLimit);
    limitButtons->addWidget(m_removeLimit);
    limitButtons->addStretch();
    limitsLayout->addLayout(limitButtons);
    layout->addWidget(limitsBox);

    auto* messageForm = new QFormLayout;
    m_onDeny->setPlaceholderText(tr("What a refused agent reads (optional)"));
    m_onDenyLabel = new QLabel(tr("On &deny:"), this);
    m_onDenyLabel->setBuddy(m_onDeny);
    messageForm->addRow(m_onDenyLabel, m_onDeny);
    layout->addLayout(messageForm);

    m_rulesBox = new QGroupBox(tr("Argument &rules"), this);
    auto* rulesLayout = new QVBoxLayout(m_rulesBox);
    m_rules->setMaximumHeight(110);
    rulesLayout->addWidget(m_rules);
    auto* ruleRow = new QHBoxLayout;
    m_ruleKind->addItem(tr("Deny if"), int(RuleKind::DenyIf));
    m_ruleKind->addItem(tr("Ask a person if"), int(RuleKind::ApproveIf));
    m_ruleKind->addItem(tr("Require"), int(RuleKind::Require));
    ruleRow->addWidget(m_ruleKind);
    ruleRow->addWidget(m_condition, 1);
    rulesLayout->addLayout(ruleRow);
    auto* ruleButtons = new QHBoxLayout;
    m_ruleMessage->setPlaceholderText(tr("Message when this rule refuses (optional)"));
    auto* addRule = new QPushButton(tr("Add rule"), this);
    ruleButtons->addWidget(m_ruleMessage, 1);
    ruleButtons->addWidget(addRule);
    ruleButtons->addWidget(m_removeRule);
    rulesLayout->addLayout(ruleButtons);
    m_ruleError->setStyleSheet(QStringLiteral("color: %1").arg(toneCss(Tone::Bad)));
    rulesLayout->addWidget(m_ruleError);
    layout->addWidget(m_rulesBox);
    layout->addStretch();

    connect(addLimit, &QPushButton::clicked, this, &ToolDetailPanel::addLimit);
    connect(m_limits, &QTableWidget::itemChanged, this, &ToolDetailPanel::writeLimits);
    connect(m_removeLimit, &QPushButton::clicked, this, &ToolDetailPanel::removeLimit);
    connect(m_onDeny, &QLineEdit::editingFinished, this, &ToolDetailPanel::writeMessage);
    connect(addRule, &QPushButton::clicked, this, &ToolDetailPanel::addRule);
    connect(m_removeRule, &QPushButton::clicked, this, &ToolDetailPanel::removeRule);
    connect(m_condition, &ConditionEditor::changed, m_ruleError, &QLabel::clear);
    connect(m_document, &PolicyDocument::policyChanged, this, [this] {
        if (!m_writing)
            refresh();
    });
    connect(m_document, &PolicyDocument::diagnosticsChanged, this,
            [this] { setEnabled(m_document->isValid()); });
    showTool({}, nullptr);
}

void ToolDetailPanel::showTool(const QString& tool, const ToolInfo* info)
{
    m_tool = tool;
    const bool allTools = tool == AllTools;
    for (QWidget* w : {static_cast<QWidget*>(m_onDeny), static_cast<QWidget*>(m_rulesBox),
                       static_cast<QWidget*>(m_onDenyLabel)})
        w->setVisible(!allTools);
    if (allTools) {
        m_title->setText(tr("<h3>All tools</h3>"));
        m_description->setText(tr("Limits every call counts against, whatever the tool (all_tools.limits): "
                                  "a budget for the whole server."));
    } else if (tool.isEmpty()) {
        m_title->setText(tr("<h3>No tool selected</h3>"));
        m_description->setText(tr("Pick a tool in the table to edit its limits and rules."));
    } else {
        const QString riskClass = info ? info->riskClass : tr("Unknown");
        m_title->setText(QStringLiteral("<h3>%1 <span style='color:%2; font-size:small'>● %3</span></h3>")
                             .arg(tool.toHtmlEscaped(), ToolTableDelegate::riskColor(riskClass).name(),
                                  riskClass.toHtmlEscaped()));
        m_description->setText(info ? info->description : tr("The server does not list this tool."));
    }
    m_condition->setSchema(info ? info->inputSchema : QJsonObject());
    refresh();
}

void ToolDetailPanel::refresh()
{
    const QSignalBlocker quiet(m_limits); // filling the table is no edit
    const bool have = !m_tool.isEmpty() && m_document->policy();
    for (QWidget* w : findChildren<QGroupBox*>())
        w->setEnabled(have);
    m_onDeny->setEnabled(have);
    m_limits->setRowCount(0);
    m_rules->clear();
    m_onDeny->clear();
    if (!have)
        return;
    const ToolPolicy* t = m_tool == AllTools ? nullptr : m_document->policy()->tool(m_tool);
    m_onDeny->setText(t && t->onDeny ? *t->onDeny : QString());
    const Policy& policy = *m_document->policy();
    const QList<Limit> limits =
        m_tool == AllTools
            ? (policy.allTools && policy.allTools->limits ? *policy.allTools->limits : QList<Limit>())
        : t && t->limits ? *t->limits
                         : QList<Limit>();
    m_limits->setRowCount(int(limits.size()));
    for (int row = 0; row < limits.size(); ++row) {
        const Limit& l = limits.at(row);
        m_limits->setItem(row, Counter, new QTableWidgetItem(l.counter));
        auto* max = new QSpinBox(m_limits);
        max->setRange(0, 1'000'000'000);
        max->setValue(int(std::min<qint64>(l.max, 1'000'000'000)));
        m_limits->setCellWidget(row, Max, max);
        auto* window = new QComboBox(m_limits);
        for (auto u : {LimitWindow::Unit::Second, LimitWindow::Unit::Minute, LimitWindow::Unit::Hour,
                       LimitWindow::Unit::Day})
            window->addItem(LimitWindow::named(u).describe(), int(u));
        if (l.window.unit == LimitWindow::Unit::Seconds)
            window->addItem(l.window.describe(), QVariant::fromValue(l.window.seconds));
        window->setCurrentIndex(l.window.unit == LimitWindow::Unit::Seconds
                                    ? window->count() - 1
                                    : window->findData(int(l.window.unit)));
        m_limits->setCellWidget(row, Window, window);
        auto* scope = new QComboBox(m_limits);
        for (auto s : {LimitScope::Grant, LimitScope::Session, LimitScope::Global})
            scope->addItem(limitScopeName(s), int(s));
        scope->setCurrentIndex(scope->findData(int(l.effectiveScope())));
        m_limits->setCellWidget(row, Scope, scope);
        connect(max, &QSpinBox::editingFinished, this, &ToolDetailPanel::writeLimits);
        connect(window, &QComboBox::activated, this, &ToolDetailPanel::writeLimits);
        connect(scope, &QComboBox::activated, this, &ToolDetailPanel::writeLimits);
    }
    if (t) {
        const QList<QPair<RuleKind, QString>> kinds{{RuleKind::DenyIf, tr("Deny if")},
                                                    {RuleKind::ApproveIf, tr("Ask if")},
                                                    {RuleKind::Require, tr("Require")}};
        ToolPolicy copy = *t;
        for (const auto& [kind, label] : kinds) {
            const auto& rules = rulesOf(copy, kind);
            if (!rules)
                continue;
            for (int i = 0; i < rules->size(); ++i) {
                auto* item = new QListWidgetItem(
                    QStringLiteral("%1: %2").arg(label, describeRule(rules->at(i))), m_rules);
                item->setData(Qt::UserRole, int(kind));
                item->setData(Qt::UserRole + 1, i);
            }
        }
    }
}

void ToolDetailPanel::writeLimits()
{
    if (!m_document->policy() || m_tool.isEmpty())
        return;
    Policy edited = *m_document->policy();
    std::optional<QList<Limit>>& limitsField = limitsOf(edited);
    QList<Limit> limits = limitsField ? *limitsField : QList<Limit>();
    for (int row = 0; row < m_limits->rowCount() && row < limits.size(); ++row) {
        if (!m_limits->cellWidget(row, Max))
            return; // being filled in
        Limit& l = limits[row];
        if (const QTableWidgetItem* counter = m_limits->item(row, Counter);
            counter && !counter->text().trimmed().isEmpty())
            l.counter = counter->text().trimmed();
        l.max = static_cast<QSpinBox*>(m_limits->cellWidget(row, Max))->value();
        const auto* window = static_cast<QComboBox*>(m_limits->cellWidget(row, Window));
        if (window->currentIndex() < 4)
            l.window = LimitWindow::named(LimitWindow::Unit(window->currentData().toInt()));
        l.scope =
            LimitScope(static_cast<QComboBox*>(m_limits->cellWidget(row, Scope))->currentData().toInt());
    }
    limitsField = limits;
    m_writing = true;
    m_document->setPolicy(edited, tr("%1: limits").arg(m_tool == AllTools ? tr("all tools") : m_tool));
    m_writing = false;
}

void ToolDetailPanel::addLimit()
{
    if (!m_document->policy() || m_tool.isEmpty())
        return;
    Policy edited = *m_document->policy();
    std::optional<QList<Limit>>& limitsField = limitsOf(edited);
    if (!limitsField)
        limitsField = QList<Limit>();
    Limit l;
    l.counter = (m_tool == AllTools ? QStringLiteral("all_tools") : m_tool) +
                (limitsField->isEmpty() ? QStringLiteral("_rate")
                                        : QStringLiteral("_rate%1").arg(limitsField->size() + 1));
    l.max = 10;
    l.window = LimitWindow::named(LimitWindow::Unit::Minute);
    l.scope = LimitScope::Grant;
    limitsField->append(l);
    m_document->setPolicy(edited, tr("%1: add limit").arg(m_tool));
}

void ToolDetailPanel::removeLimit()
{
    const int row = m_limits->currentRow();
    if (!m_document->policy() || m_tool.isEmpty() || row < 0)
        return;
    Policy edited = *m_document->policy();
    std::optional<QList<Limit>>& limitsField = limitsOf(edited);
    if (!limitsField || row >= limitsField->size())
        return;
    limitsField->removeAt(row);
    if (limitsField->isEmpty()) {
        limitsField.reset();
        if (m_tool == AllTools)
            edited.allTools.reset(); // no empty "all_tools": {} left behind
    }
    m_document->setPolicy(edited, tr("%1: remove limit").arg(m_tool == AllTools ? tr("all tools") : m_tool));
}

void ToolDetailPanel::writeMessage()
{
    if (!m_document->policy() || m_tool.isEmpty())
        return;
    Policy edited = *m_document->policy();
    ToolPolicy& t = policyedit::toolPolicy(edited, m_tool);
    const QString text = m_onDeny->text().trimmed();
    if (text == t.onDeny.value_or(QString()))
        return;
    t.onDeny = text.isEmpty() ? std::nullopt : std::optional<QString>(text);
    m_writing = true;
    m_document->setPolicy(edited, tr("%1: on_deny message").arg(m_tool));
    m_writing = false;
}

void ToolDetailPanel::addRule()
{
    if (!m_document->policy() || m_tool.isEmpty())
        return;
    QString error;
    const std::optional<Condition> c = m_condition->condition(&error);
    if (!c) {
        m_ruleError->setText(error);
        return;
    }
    Policy edited = *m_document->policy();
    ToolPolicy& t = policyedit::toolPolicy(edited, m_tool);
    auto& rules = rulesOf(t, RuleKind(m_ruleKind->currentData().toInt()));
    if (!rules)
        rules = QList<Rule>();
    Rule r;
    r.conditions = QList<Condition>{*c};
    if (!m_ruleMessage->text().trimmed().isEmpty())
        r.onDeny = m_ruleMessage->text().trimmed();
    rules->append(r);
    m_document->setPolicy(edited, tr("%1: add rule").arg(m_tool));
    m_ruleMessage->clear();
}

void ToolDetailPanel::removeRule()
{
    const QListWidgetItem* item = m_rules->currentItem();
    if (!item || !m_document->policy() || m_tool.isEmpty())
        return;
    Policy edited = *m_document->policy();
    ToolPolicy& t = policyedit::toolPolicy(edited, m_tool);
    auto& rules = rulesOf(t, RuleKind(item->data(Qt::UserRole).toInt()));
    const int i = item->data(Qt::UserRole + 1).toInt();
    if (!rules || i >= rules->size())
        return;
    rules->removeAt(i);
    if (rules->isEmpty())
        rules.reset();
    m_document->setPolicy(edited, tr("%1: remove rule").arg(m_tool));
}

} // namespace gatehouse::ui
