// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/PolicyEdit.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;
class QToolButton;

namespace gatehouse::ui {

class CallTableModel;
class JsonEdit;

// The live call monitor: a filter bar, the table of calls (following the newest unless the person
// scrolled up), and the selected call's request, response, decision and timing.
class LiveCallsView : public QWidget
{
    Q_OBJECT
public:
    explicit LiveCallsView(CallTableModel* model, QWidget* parent = nullptr);

    QTableView* table() const { return m_table; }
    QSplitter* splitter() const { return m_splitter; }
    bool isFollowing() const { return m_follow; }
    void setFollowing(bool follow);
    void applyFilter();
    QLineEdit* filterText() const { return m_text; }

signals:
    // The person asked to change the policy for a tool from a call's context menu.
    void toolStateRequested(const QString& server, const QString& tool,
                            gatehouse::policyedit::ToolState state);
    void limitRequested(const QString& server, const QString& tool);
    void ruleRequested(const QString& server, const QString& tool); // open it in the editor

private:
    void showDetails();
    void onContextMenu(const QPoint& pos);
    void refreshChoices();
    QString currentJson() const;

    CallTableModel* m_model;
    QLineEdit* m_text;
    QComboBox* m_status;
    QComboBox* m_tool;
    QComboBox* m_grant;
    QToolButton* m_followButton;
    QLabel* m_count;
    QTableView* m_table;
    QSplitter* m_splitter;
    QLabel* m_summary;
    JsonEdit* m_request;
    JsonEdit* m_response;
    bool m_follow = true;
};

} // namespace gatehouse::ui
