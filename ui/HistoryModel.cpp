// SPDX-License-Identifier: GPL-3.0-or-later
#include "HistoryModel.h"

#include "CallTableModel.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace gatehouse::ui {

void HistoryModel::setRows(std::vector<AuditRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_status.clear();
    m_status.reserve(m_rows.size());
    for (const AuditRow& r : m_rows)
        m_status.push_back(statusOf(r));
    endResetModel();
}

const AuditRow* HistoryModel::row(int index) const
{
    return index >= 0 && std::size_t(index) < m_rows.size() ? &m_rows[std::size_t(index)] : nullptr;
}

int HistoryModel::statusOf(const AuditRow& a)
{
    // Back to a record, so the live table's one rule names it.
    CallRecord r;
    for (Verdict v :
         {Verdict::Allowed, Verdict::Denied, Verdict::Hidden, Verdict::Limited, Verdict::NeedsApproval})
        if (verdictName(v) == a.verdict)
            r.verdict = v;
    for (auto o :
         {CallRecord::Outcome::Pending, CallRecord::Outcome::Answered, CallRecord::Outcome::Failed,
          CallRecord::Outcome::Refused, CallRecord::Outcome::Cancelled, CallRecord::Outcome::Deferred})
        if (outcomeName(o) == a.outcome)
            r.outcome = o;
    r.approver = a.approver;
    r.rule = a.rule;
    r.resultIsError = a.resultIsError;
    return int(CallTableModel::statusOf(r));
}

int HistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const
{
    const AuditRow* r = row(index.row());
    if (!r)
        return {};
    const auto status = CallTableModel::CallStatus(m_status[std::size_t(index.row())]);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Seq:
            return r->seq;
        case Time:
            return QDateTime::fromString(r->time, Qt::ISODateWithMs)
                .toLocalTime()
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        case Client:
            return r->client.isEmpty() ? tr("—") : r->client;
        case Grant:
            return r->grant.isEmpty() ? tr("(launch token)") : r->grant;
        case Server:
            return r->server;
        case Tool:
            return r->tool;
        case ArgumentKeys: {
            QStringList keys;
            for (const QJsonValue& k : QJsonDocument::fromJson(r->argumentKeys).array())
                keys << k.toString();
            return keys.join(QStringLiteral(", "));
        }
        case Status:
            return CallTableModel::statusName(status);
        case Rule:
            return r->rule;
        case Approver:
            return r->approvalNote.isEmpty() ? r->approver
                                             : QStringLiteral("%1 · %2").arg(r->approver, r->approvalNote);
        case Latency:
            return CallTableModel::latencyText(r->latencyMs);
        }
        break;
    case Qt::ForegroundRole:
    case Qt::DecorationRole:
    case Qt::FontRole:
        if (index.column() == Status)
            return CallTableModel::statusCellData(status, role);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Latency || index.column() == Seq)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (index.column() == Client && r->client.isEmpty())
            return tr(
                "Not recorded: the agent gave no name, or the call is older than Gatehouse's record of it");
        if (index.column() == Approver && !r->approvalNote.isEmpty())
            return r->approvalNote;
        if (index.column() == Rule)
            return r->message;
        break;
    }
    return {};
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* names[] = {QT_TR_NOOP("#"),
                                  QT_TR_NOOP("Time"),
                                  QT_TR_NOOP("Agent"),
                                  QT_TR_NOOP("Grant"),
                                  QT_TR_NOOP("Server"),
                                  QT_TR_NOOP("Tool"),
                                  QT_TR_NOOP("Argument keys"),
                                  QT_TR_NOOP("Status"),
                                  QT_TR_NOOP("Rule"),
                                  QT_TR_NOOP("Approver · note"),
                                  QT_TR_NOOP("Latency")};
    static_assert(std::size(names) == ColumnCount);
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace gatehouse::ui
