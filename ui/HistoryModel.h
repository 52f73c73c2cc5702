// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "audit/AuditRow.h"

#include <QAbstractTableModel>
#include <vector>

namespace gatehouse::ui {

// One page of audit rows, shown with the words and marks of the live table (status, agent, grant).
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Seq,
        Time,
        Client,
        Grant,
        Server,
        Tool,
        ArgumentKeys,
        Status,
        Rule,
        Approver,
        Latency,
        ColumnCount
    };
    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<AuditRow> rows);
    const AuditRow* row(int index) const;
    // The live table's status of a stored call.
    static int statusOf(const AuditRow& row);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<AuditRow> m_rows;
    std::vector<int> m_status; // statusOf() of each row, worked out once per page, not per cell
};

} // namespace gatehouse::ui
