// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLineEdit;
class QLabel;
class QSqlQueryModel;
class QTableView;

namespace gatehouse::ui {

// Past calls from the audit log (every run, not only this one), newest first, searchable. Reads the
// database on a connection of its own; the proxy's writer is never blocked for long (SQLite WAL).
class HistoryView : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryView(const QString& auditPath, QWidget* parent = nullptr);
    ~HistoryView() override;

    void refresh();
    QTableView* table() const { return m_table; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    QString m_connection;
    QString m_path;
    QLineEdit* m_filter;
    QLabel* m_count;
    QTableView* m_table;
    QSqlQueryModel* m_model;
};

} // namespace gatehouse::ui
