// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/ToolCatalogue.h"

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QListWidget;
class QSpinBox;
class QScrollArea;
class QSplitter;
class QTableView;
class QToolBar;

namespace gatehouse::ui {

class JsonEdit;
class PolicyDocument;
class WhatIfPanel;
class ToolDetailPanel;
class ToolTableModel;

// The policy editor: policy-wide settings on top, the tool table with the selected tool's details on
// the left, the policy JSON with its errors on the right; all views of one PolicyDocument.
class PolicyEditor : public QWidget
{
    Q_OBJECT
public:
    explicit PolicyEditor(PolicyDocument* document, QWidget* parent = nullptr);

    void setCatalogue(const ToolCatalogue& catalogue);
    void selectTool(const QString& tool);
    // Where "What would change?" finds the history to replay: the audit log, this server's calls.
    void setReplaySource(const QString& auditPath, const QString& server);
    WhatIfPanel* whatIf() const { return m_whatIf; }
    QAction* whatIfAction() const { return m_whatIfAction; }
    ToolTableModel* toolModel() const { return m_model; }
    QTableView* toolTable() const { return m_table; }
    JsonEdit* jsonEdit() const { return m_json; }
    QListWidget* problemList() const { return m_problems; }
    QList<QSplitter*> splitters() const;

    // Save (atomically) and have the running proxy use it. Empty path: ask where.
    bool save();

signals:
    void saved(const QString& path); // the file now holds the policy: the proxy should reload it
    void status(const QString& message);
    void modifiedChanged(bool modified); // unsaved edits appeared or were saved or undone

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void onDiagnostics();
    void onPolicyChanged();
    void writeSettings();
    void applyRecommended();
    void importPolicy();
    void exportPolicy();
    void onCurrentRowChanged();

    PolicyDocument* m_document;
    QScrollArea* m_detailArea = nullptr;
    ToolTableModel* m_model;
    QToolBar* m_toolbar;
    QComboBox* m_default;
    QSpinBox* m_timeout;
    QComboBox* m_onTimeout;
    QTableView* m_table;
    ToolDetailPanel* m_detail;
    JsonEdit* m_json;
    QListWidget* m_problems;
    QLabel* m_validity;
    WhatIfPanel* m_whatIf;
    QAction* m_whatIfAction = nullptr;
    QSplitter* m_outer;
    QSplitter* m_left;
    bool m_updating = false;
};

} // namespace gatehouse::ui
