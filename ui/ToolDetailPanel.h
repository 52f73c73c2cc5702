// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/ToolCatalogue.h"

#include <QWidget>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace gatehouse::ui {

class ConditionEditor;
class PolicyDocument;

// Everything the policy says about one tool, editable: limits (counter, max, window, scope), the
// message a denied agent reads, and argument rules (deny if / approve if / require) built with a
// ConditionEditor. Every change is one step on the document's undo stack.
class ToolDetailPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ToolDetailPanel(PolicyDocument* document, QWidget* parent = nullptr);

    // The name that stands for the policy's all_tools section: only limits, no rules.
    static inline const QString AllTools = QStringLiteral("*");
    void showTool(const QString& tool, const ToolInfo* info);
    QString tool() const { return m_tool; }

private:
    void refresh();
    std::optional<QList<Limit>>& limitsOf(Policy& policy) const;
    void writeLimits();
    void writeMessage();
    void addLimit();
    void removeLimit();
    void addRule();
    void removeRule();

    PolicyDocument* m_document;
    QString m_tool;
    bool m_writing = false;

    QLabel* m_title;
    QLabel* m_description;
    QTableWidget* m_limits;
    QPushButton* m_removeLimit;
    QLineEdit* m_onDeny;
    QLabel* m_onDenyLabel = nullptr;
    QWidget* m_rulesBox = nullptr;
    QListWidget* m_rules;
    QPushButton* m_removeRule;
    QComboBox* m_ruleKind;
    ConditionEditor* m_condition;
    QLineEdit* m_ruleMessage;
    QLabel* m_ruleError;
};

} // namespace gatehouse::ui
