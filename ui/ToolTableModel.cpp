// SPDX-License-Identifier: GPL-3.0-or-later
#include "ToolTableModel.h"

#include "PolicyDocument.h"

namespace gatehouse::ui {

using policyedit::ToolState;

ToolTableModel::ToolTableModel(PolicyDocument* document, QObject* parent)
    : QAbstractTableModel(parent)
    , m_document(document)
{
    connect(m_document, &PolicyDocument::policyChanged, this, &ToolTableModel::rebuildRows);
    rebuildRows();
}

void ToolTableModel::setCatalogue(const ToolCatalogue& catalogue)
{
    m_catalogue = catalogue;
    rebuildRows();
}

void ToolTableModel::rebuildRows()
{
    QStringList rows;
    for (const ToolInfo& t : m_catalogue.tools())
        rows << t.name;
    if (const auto& p = m_document->policy()) {
        QStringList extra;
        if (p->tools)
            extra << p->tools->keys();
        if (p->hide)
            extra << *p->hide;
        extra.sort();
        for (const QString& name : std::as_const(extra))
            if (!rows.contains(name))
                rows << name;
    }
    if (rows != m_rows) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    } else if (!m_rows.isEmpty()) {
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
    }
}

int ToolTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ToolTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ToolTableModel::stateName(ToolState state)
{
    switch (state) {
    case ToolState::Allow:
        return tr("Allow");
    case ToolState::Deny:
        return tr("Deny");
    case ToolState::Hide:
        return tr("Hide");
    case ToolState::Approve:
        return tr("Approve");
    }
    return {};
}

QVariant ToolTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QString& name = m_rows.at(index.row());
    const ToolInfo* info = m_catalogue.find(name);
    const auto& policy = m_document->policy();
    const ToolState state = policy ? policyedit::toolState(*policy, name) : ToolState::Deny;
    const bool custom = policy && policyedit::hasRules(*policy, name);
    switch (role) {
    case StateRole:
        return int(state);
    case CustomRole:
        return custom;
    case RiskClassRole:
        return info ? info->riskClass : QString();
    case ToolNameRole:
        return name;
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return name;
        case Risk:
            return info && !info->riskClass.isEmpty() ? info->riskClass : tr("Unknown");
        case State:
            return custom ? tr("Custom (%1)").arg(stateName(state)) : stateName(state);
        case Summary:
            return policy ? policyedit::summarize(*policy, name) : QString();
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Risk && info)
            return tr("%1, from %2").arg(info->riskClass, info->classSource);
        if (index.column() == State)
            return tr("Click a state to set it (or press A, D, H, P)");
        if (info)
            return QStringLiteral("<b>%1</b><br>%2%3")
                .arg(name.toHtmlEscaped(), info->description.toHtmlEscaped(),
                     info->live ? QString()
                                : tr("<br><i>from the catalogue; the server has not listed it yet</i>"));
        return tr("%1 is in the policy but the server does not offer it").arg(name);
    case Qt::AccessibleTextRole:
        return data(index, Qt::DisplayRole);
    }
    return {};
}

QVariant ToolTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Tool");
    case Risk:
        return tr("Risk");
    case State:
        return tr("State");
    case Summary:
        return tr("Limits and rules");
    }
    return {};
}

Qt::ItemFlags ToolTableModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == State)
        f |= Qt::ItemIsEditable;
    return f;
}

bool ToolTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != StateRole || index.column() != State)
        return false;
    return setState(index.row(), ToolState(value.toInt()));
}

bool ToolTableModel::setState(int row, ToolState state)
{
    const auto& current = m_document->policy();
    // While the JSON has errors the table shows the last good policy; editing that would throw the
    // person's unfinished text away, so the table waits until the text is valid again.
    if (!current || !m_document->isValid() || row < 0 || row >= m_rows.size())
        return false;
    Policy edited = *current;
    const QString& tool = m_rows.at(row);
    policyedit::setToolState(edited, tool, state);
    m_document->setPolicy(edited, tr("%1: %2").arg(tool, stateName(state)));
    return true;
}

} // namespace gatehouse::ui
