// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallTableModel.h"

#include "Tones.h"

#include "json/JsonWriter.h"
#include <QColor>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFont>
#include <QGuiApplication>
#include <QIcon>
#include <QJsonArray>
#include <QPainter>

namespace gatehouse::ui {

CallTableModel::CallTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    m_strings << QString();
    m_stringIds.insert(QString(), 0);
    m_flush.setSingleShot(true);
    connect(&m_flush, &QTimer::timeout, this, [this] { drain(SliceMs); });
}

QString CallTableModel::statusName(CallStatus s)
{
    static const char* names[] = {QT_TR_NOOP("allowed"),
                                  QT_TR_NOOP("denied"),
                                  QT_TR_NOOP("limited"),
                                  QT_TR_NOOP("hidden"),
                                  QT_TR_NOOP("pending"),
                                  QT_TR_NOOP("approved"),
                                  QT_TR_NOOP("rejected"),
                                  QT_TR_NOOP("failed"),
                                  QT_TR_NOOP("cancelled"),
                                  QT_TR_NOOP("allowed · tool error"),
                                  QT_TR_NOOP("approved · tool error"),
                                  QT_TR_NOOP("awaiting approval · told to retry")};
    static_assert(std::size(names) == std::size_t(CallStatus::Count));
    return tr(names[int(s)]);
}

QColor CallTableModel::statusColor(CallStatus s)
{
    switch (s) {
    case CallStatus::Allowed:
    case CallStatus::Approved:
        return tone(Tone::Good);
    case CallStatus::Denied:
    case CallStatus::Rejected:
        return tone(Tone::Bad);
    case CallStatus::Limited:
    case CallStatus::ToolError:
    case CallStatus::ApprovedToolError:
        return tone(Tone::Warn);
    case CallStatus::Pending:
    case CallStatus::AwaitingApproval:
        return tone(Tone::Info);
    case CallStatus::Hidden:
    case CallStatus::Cancelled:
    case CallStatus::Count:
        return tone(Tone::Muted);
    case CallStatus::Failed:
        return tone(Tone::Failed);
    }
    return {};
}

QIcon CallTableModel::statusIcon(CallStatus s)
{
    // A shape as well as a colour, for people who cannot tell the colours apart: ✓ through, ✕ refused,
    // ⏸ waiting, ! failed or a tool error.
    static QHash<int, QIcon> cache;
    const int key = int(s) * 2 + (isDark(QGuiApplication::palette()) ? 1 : 0);
    if (const auto it = cache.constFind(key); it != cache.constEnd())
        return *it;
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(statusColor(s));
    p.drawEllipse(2, 2, 28, 28);
    p.setPen(QPen(Qt::white, 4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    switch (s) {
    case CallStatus::Allowed:
    case CallStatus::Approved:
        p.drawPolyline(QPolygon({QPoint(9, 17), QPoint(14, 22), QPoint(23, 11)}));
        break;
    case CallStatus::Pending:
    case CallStatus::AwaitingApproval:
        p.drawLine(12, 10, 12, 22);
        p.drawLine(20, 10, 20, 22);
        break;
    case CallStatus::Failed:
    case CallStatus::ToolError:
    case CallStatus::ApprovedToolError:
        p.drawLine(16, 8, 16, 18);
        p.drawPoint(16, 24);
        break;
    default:
        p.drawLine(10, 10, 22, 22);
        p.drawLine(22, 10, 10, 22);
        break;
    }
    p.end();
    return cache[key] = QIcon(pixmap);
}

QVariant CallTableModel::statusCellData(CallStatus status, int role)
{
    switch (role) {
    case Qt::ForegroundRole:
        return statusColor(status);
    case Qt::DecorationRole:
        return statusIcon(status);
    case Qt::FontRole: {
        QFont f;
        f.setBold(true);
        return f;
    }
    default:
        return {};
    }
}

CallTableModel::CallStatus CallTableModel::statusOf(const CallRecord& r)
{
    const bool asked = !r.approver.isEmpty();
    switch (r.outcome) {
    case CallRecord::Outcome::Pending:
        break;
    case CallRecord::Outcome::Cancelled:
        return CallStatus::Cancelled;
    case CallRecord::Outcome::Deferred:
        return CallStatus::AwaitingApproval;
    case CallRecord::Outcome::Failed:
        return CallStatus::Failed;
    case CallRecord::Outcome::Answered:
        // Through the gate, but the tool said it failed (a 409, a missing run): not a green tick.
        if (r.resultIsError)
            return asked ? CallStatus::ApprovedToolError : CallStatus::ToolError;
        return asked ? CallStatus::Approved : CallStatus::Allowed;
    case CallRecord::Outcome::Refused:
        if (asked) // a person (or the approval's deadline) refused it: rejected, not denied by rule
            return CallStatus::Rejected;
        break;
    }
    switch (r.verdict) {
    case Verdict::Allowed:
        return asked ? CallStatus::Approved : CallStatus::Allowed;
    case Verdict::Denied:
        return CallStatus::Denied;
    case Verdict::Hidden:
        return CallStatus::Hidden;
    case Verdict::Limited:
        return CallStatus::Limited;
    case Verdict::NeedsApproval:
        return CallStatus::Pending;
    }
    return CallStatus::Denied;
}

QByteArray CallTableModel::summarizeArguments(const QJsonObject& arguments)
{
    // key=value pairs in the arguments' order, values compact; cut at a character boundary.
    QByteArray out;
    for (auto it = arguments.begin(); it != arguments.end() && out.size() < SummaryBytes; ++it) {
        if (!out.isEmpty())
            out += ", ";
        out += it.key().toUtf8();
        out += '=';
        out += it.value().isString() ? it.value().toString().toUtf8() : JsonWriter::canonical(it.value());
    }
    if (out.size() > SummaryBytes) {
        qsizetype cut = SummaryBytes - 3;
        while (cut > 0 && (quint8(out.at(cut)) & 0xC0) == 0x80)
            --cut; // not inside a UTF-8 sequence
        out.truncate(cut);
        out += "\xe2\x80\xa6"; // …
    }
    out.replace('\n', ' ');
    out.squeeze();
    return out;
}

quint32 CallTableModel::intern(const QString& s)
{
    const auto it = m_stringIds.constFind(s);
    if (it != m_stringIds.constEnd())
        return *it;
    const auto id = quint32(m_strings.size());
    m_strings << s;
    m_stringIds.insert(s, id);
    m_textHit.push_back(!m_filter.text.isEmpty() && s.contains(m_filter.text, Qt::CaseInsensitive));
    if (s == m_filter.tool)
        m_toolId = id;
    if (s == m_filter.grant)
        m_grantId = id;
    return id;
}

void CallTableModel::add(const CallRecord& record)
{
    m_queue.push_back(record);
    if (!m_flush.isActive())
        m_flush.start(m_batchMs);
}

void CallTableModel::flush()
{
    drain(-1);
}

void CallTableModel::drain(qint64 budgetMs)
{
    m_flush.stop();
    if (m_queueHead >= m_queue.size())
        return;
    QElapsedTimer clock;
    clock.start();
    const int visibleBefore = visibleCount();
    const std::size_t rowsBefore = m_rows.size();
    int firstChanged = INT_MAX, lastChanged = -1;
    for (; m_queueHead < m_queue.size(); ++m_queueHead) {
        // A burst is taken in slices so the event loop (input, paint) gets a turn between them.
        if (budgetMs >= 0 && (m_queueHead & 255) == 0 && clock.elapsed() >= budgetMs)
            break;
        const CallRecord& r = m_queue[m_queueHead];
        keepDetail(r);
        const auto status = quint8(statusOf(r));
        const auto open = m_open.constFind(r.sequence);
        if (open != m_open.constEnd()) { // a later report of a call we have: update it
            const qint32 at = *open;
            Row& row = m_rows[std::size_t(at)];
            row.status = status;
            row.rule = intern(r.rule);
            row.latencyMs = float(r.latencyMs);
            row.edited = r.originalArguments.has_value();
            if (row.edited)
                row.summary = summarizeArguments(r.arguments);
            if (r.outcome != CallRecord::Outcome::Pending)
                m_open.erase(open);
            if (std::size_t(at) < rowsBefore) {
                firstChanged = std::min(firstChanged, int(at));
                lastChanged = std::max(lastChanged, int(at));
            }
            continue;
        }
        Row row{r.sequence,
                r.time.toMSecsSinceEpoch(),
                intern(r.server),
                intern(r.tool),
                intern(r.grant),
                intern(r.rule),
                intern(r.client),
                float(r.latencyMs),
                status,
                r.originalArguments.has_value(),
                summarizeArguments(r.arguments)};
        if (r.outcome == CallRecord::Outcome::Pending)
            m_open.insert(r.sequence, qint32(m_rows.size()));
        m_rows.push_back(std::move(row));
    }
    // Rows changed in place: with a filter, where they show is found by searching the visible index.
    if (lastChanged >= 0) {
        if (m_filter.isEmpty()) {
            emit dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
        } else {
            const auto lo = std::lower_bound(m_visible.begin(), m_visible.end(), firstChanged);
            const auto hi = std::upper_bound(m_visible.begin(), m_visible.end(), lastChanged);
            if (lo != hi)
                emit dataChanged(index(int(lo - m_visible.begin()), 0),
                                 index(int(hi - m_visible.begin()) - 1, ColumnCount - 1));
        }
    }
    // New rows: one insert for the batch.
    std::vector<qint32> added;
    for (std::size_t i = rowsBefore; i < m_rows.size(); ++i)
        if (m_filter.isEmpty() || matches(m_rows[i]))
            added.push_back(qint32(i));
    if (!added.empty()) {
        beginInsertRows({}, visibleBefore, visibleBefore + int(added.size()) - 1);
        if (!m_filter.isEmpty())
            m_visible.insert(m_visible.end(), added.begin(), added.end());
        m_announced = m_rows.size();
        endInsertRows();
    }
    m_announced = m_rows.size(); // also those a filter keeps out of sight
    if (m_queueHead >= m_queue.size()) {
        m_queue.clear();
        m_queueHead = 0;
    } else {
        m_flush.start(0); // the rest of the burst, after the event loop's turn
    }
    emit callsAdded(int(m_rows.size() - rowsBefore));
}

void CallTableModel::keepDetail(const CallRecord& record)
{
    if (!m_details.contains(record.sequence))
        m_detailOrder.push_back(record.sequence);
    m_details.insert(record.sequence, record);
    while (m_detailOrder.size() > std::size_t(DetailLimit)) {
        m_details.remove(m_detailOrder.front());
        m_detailOrder.pop_front();
    }
}

bool CallTableModel::matches(const Row& row) const
{
    if (m_filter.statuses && !(m_filter.statuses & (1u << row.status)))
        return false;
    if (!m_filter.tool.isEmpty() && qint64(row.tool) != m_toolId)
        return false;
    if (!m_filter.grant.isEmpty() && qint64(row.grant) != m_grantId)
        return false;
    if (m_filter.text.isEmpty())
        return true;
    if (m_textHit[row.tool] || m_textHit[row.server] || m_textHit[row.grant] || m_textHit[row.rule] ||
        m_textHit[row.client])
        return true;
    // The common case, kept cheap for a million rows: an ASCII needle needs no conversion of the summary.
    if (!m_asciiNeedle.isEmpty())
        return QLatin1StringView(row.summary).contains(QLatin1StringView(m_asciiNeedle), Qt::CaseInsensitive);
    return QUtf8StringView(row.summary).toString().contains(m_filter.text, Qt::CaseInsensitive);
}

void CallTableModel::setFilter(const CallFilter& filter)
{
    beginResetModel();
    m_filter = filter;
    m_announced = m_rows.size();
    const bool ascii =
        std::all_of(filter.text.cbegin(), filter.text.cend(), [](QChar c) { return c.unicode() < 0x80; });
    m_asciiNeedle = ascii ? filter.text.toLatin1() : QByteArray();
    m_textHit.assign(m_strings.size(), false);
    m_toolId = m_grantId = -1;
    for (qsizetype i = 0; i < m_strings.size(); ++i) {
        const QString& s = m_strings.at(i);
        m_textHit[std::size_t(i)] = !filter.text.isEmpty() && s.contains(filter.text, Qt::CaseInsensitive);
        if (s == filter.tool)
            m_toolId = i;
        if (s == filter.grant)
            m_grantId = i;
    }
    rebuildVisible();
    endResetModel();
}

void CallTableModel::rebuildVisible()
{
    m_visible.clear();
    if (m_filter.isEmpty()) {
        m_visible.shrink_to_fit();
        return;
    }
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (matches(m_rows[i]))
            m_visible.push_back(qint32(i));
}

int CallTableModel::visibleCount() const
{
    return m_filter.isEmpty() ? int(m_announced) : int(m_visible.size());
}

const CallTableModel::Row& CallTableModel::visibleRow(int row) const
{
    return m_filter.isEmpty() ? m_rows[std::size_t(row)] : m_rows[std::size_t(m_visible[std::size_t(row)])];
}

std::optional<CallRecord> CallTableModel::record(int row) const
{
    if (row < 0 || row >= visibleCount())
        return std::nullopt;
    const auto it = m_details.constFind(visibleRow(row).sequence);
    if (it == m_details.constEnd())
        return std::nullopt;
    return *it;
}

QStringList CallTableModel::distinct(quint32 Row::*member) const
{
    QSet<quint32> ids;
    for (const Row& r : m_rows)
        ids.insert(r.*member);
    QStringList out;
    for (quint32 id : ids)
        if (!m_strings.at(id).isEmpty())
            out << m_strings.at(id);
    out.sort();
    return out;
}

QStringList CallTableModel::tools() const
{
    return distinct(&Row::tool);
}

QStringList CallTableModel::grants() const
{
    return distinct(&Row::grant);
}

void CallTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_announced = 0;
    m_rows.shrink_to_fit();
    m_visible.clear();
    m_open.clear();
    m_details.clear();
    m_detailOrder.clear();
    endResetModel();
}

int CallTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : visibleCount();
}

int CallTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CallTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= visibleCount())
        return {};
    const Row& row = visibleRow(index.row());
    const auto status = CallStatus(row.status);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return QDateTime::fromMSecsSinceEpoch(row.timeMs)
                .toLocalTime()
                .toString(QStringLiteral("HH:mm:ss.zzz"));
        case Client:
            return row.client ? m_strings.at(row.client) : tr("(unnamed)");
        case Grant:
            return row.grant ? m_strings.at(row.grant) : tr("(launch token)");
        case Server:
            return m_strings.at(row.server);
        case Tool:
            return m_strings.at(row.tool);
        case Arguments:
            // Edited by a person before it went out: marked, so no one mistakes it for the agent's call.
            return row.edited ? QStringLiteral("✎ ") + QString::fromUtf8(row.summary)
                              : QString::fromUtf8(row.summary);
        case Status:
            return statusName(status);
        case Rule:
            return m_strings.at(row.rule);
        case Latency:
            return status == CallStatus::Pending ? QString() : latencyText(row.latencyMs);
        }
        break;
    case Qt::ForegroundRole:
    case Qt::DecorationRole:
    case Qt::FontRole:
        if (index.column() == Status)
            return statusCellData(status, role);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Latency)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (index.column() == Arguments)
            return row.edited
                       ? tr("Edited by a person before it was allowed; select the call to see what the "
                            "agent sent.\n%1")
                             .arg(QString::fromUtf8(row.summary))
                       : QString::fromUtf8(row.summary);
        if (index.column() == Rule)
            return tr("The rule that decided; double-click to open it in the policy editor");
        break;
    case SequenceRole:
        return row.sequence;
    case StatusRole:
        return int(status);
    case ToolRole:
        return m_strings.at(row.tool);
    case GrantRole:
        return m_strings.at(row.grant);
    case EditedRole:
        return row.edited;
    }
    return {};
}

QVariant CallTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* names[] = {QT_TR_NOOP("Time"),   QT_TR_NOOP("Agent"), QT_TR_NOOP("Grant"),
                                  QT_TR_NOOP("Server"), QT_TR_NOOP("Tool"),  QT_TR_NOOP("Arguments"),
                                  QT_TR_NOOP("Status"), QT_TR_NOOP("Rule"),  QT_TR_NOOP("Latency")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

QString CallTableModel::latencyText(double ms)
{
    const int decimals = ms < 10 ? 2 : ms < 100 ? 1 : 0;
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', decimals);
}

} // namespace gatehouse::ui
