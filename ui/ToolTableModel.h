// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/PolicyEdit.h"
#include "policy/ToolCatalogue.h"

#include <QAbstractTableModel>

namespace gatehouse::ui {

class PolicyDocument;

// The policy editor's table: one row per tool of the server (catalogue, then live tools/list, plus any
// tool the policy names that the server does not list), with its risk class, state and a summary of
// its limits and rules. Setting the state edits the PolicyDocument, so it can be undone.
class ToolTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Risk,
        State,
        Summary,
        ColumnCount
    };
    enum Role
    {
        StateRole = Qt::UserRole + 1, // policyedit::ToolState as int
        CustomRole,                   // bool: has rules beyond its state
        RiskClassRole,                // QString
        ToolNameRole
    };

    explicit ToolTableModel(PolicyDocument* document, QObject* parent = nullptr);

    void setCatalogue(const ToolCatalogue& catalogue);
    const ToolCatalogue& catalogue() const { return m_catalogue; }
    QString toolAt(int row) const { return m_rows.value(row); }
    int rowOf(const QString& tool) const { return int(m_rows.indexOf(tool)); }
    bool setState(int row, policyedit::ToolState state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

    static QString stateName(policyedit::ToolState state);

private:
    void rebuildRows();

    PolicyDocument* m_document;
    ToolCatalogue m_catalogue;
    QStringList m_rows;
};

} // namespace gatehouse::ui
