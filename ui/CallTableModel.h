// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/CallRecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QTimer>
#include <deque>
#include <vector>

namespace gatehouse::ui {

// What the live table can be narrowed to. Empty members match everything.
struct CallFilter
{
    QString text;         // in tool, server, grant, agent, rule or the argument summary; case-insensitive
    quint32 statuses = 0; // bits of CallTableModel::Status; 0 = all
    QString tool;
    QString grant;

    bool isEmpty() const { return text.isEmpty() && !statuses && tool.isEmpty() && grant.isEmpty(); }
};

// Every call the proxy saw this run, for the live table. Built to hold a million rows: a row is a few
// dozen bytes (names interned, arguments kept as a short summary); the full records of the latest calls
// are kept for the details pane. Calls arrive through add() at any rate and reach the view in batches,
// one insert per tick, never one repaint per call. Filtering keeps its own index of visible rows.
class CallTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    // A measured duration as a person reads it: 0.42 ms, 12.3 ms, 140 ms.
    static QString latencyText(double ms);
    enum Column
    {
        Time,
        Client, // the agent, by its clientInfo
        Grant,
        Server,
        Tool,
        Arguments,
        Status,
        Rule,
        Latency,
        ColumnCount
    };
    // What the Status column shows: the verdict while the call is open, then how it ended.
    enum class CallStatus
    {
        Allowed,
        Denied,
        Limited,
        Hidden,
        Pending, // waiting for a person
        Approved,
        Rejected, // by a person or a timeout
        Failed,   // allowed, but the upstream failed
        Cancelled,
        ToolError,         // allowed, and the tool answered with an error (isError)
        ApprovedToolError, // approved by a person, and the tool answered with an error
        AwaitingApproval,  // a person decides; the agent was told to call again
        Count
    };
    enum Role
    {
        SequenceRole = Qt::UserRole + 1,
        StatusRole,
        ToolRole,
        GrantRole,
        EditedRole // a person changed the arguments before allowing the call
    };

    explicit CallTableModel(QObject* parent = nullptr);

    // A record as the proxy reports it (decided or finished); the row of the same call is updated.
    void add(const CallRecord& record);
    // Delivers what add() queued now (the view otherwise gets it within one tick).
    void flush();
    void setBatchIntervalMs(int ms) { m_batchMs = ms; }

    void setFilter(const CallFilter& filter);
    const CallFilter& filter() const { return m_filter; }
    qint64 totalCount() const { return qint64(m_rows.size()); }
    // The full record behind a visible row, when it is still kept (the latest DetailLimit calls).
    std::optional<CallRecord> record(int row) const;
    QStringList tools() const;
    QStringList grants() const;
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString statusName(CallStatus status);
    static QColor statusColor(CallStatus status);
    static QIcon statusIcon(CallStatus status);
    // How a status cell looks, for any table that shows one: colour, icon, bold. Empty for other roles.
    static QVariant statusCellData(CallStatus status, int role);
    static CallStatus statusOf(const CallRecord& record);
    static QByteArray summarizeArguments(const QJsonObject& arguments);

    static constexpr int DetailLimit = 20'000;
    static constexpr int SliceMs = 12; // longest the model holds the event loop per slice of a burst
    static constexpr int SummaryBytes = 96;

signals:
    void callsAdded(int count); // after each batch, with the number of new calls (before filtering)

private:
    struct Row
    {
        qint64 sequence;
        qint64 timeMs;
        quint32 server, tool, grant, rule, client;
        float latencyMs;
        quint8 status;
        bool edited;
        QByteArray summary; // UTF-8, at most SummaryBytes
    };
    void drain(qint64 budgetMs); // -1: everything queued
    quint32 intern(const QString& s);
    QStringList distinct(quint32 Row::*member) const; // the names in one column, sorted
    bool matches(const Row& row) const;
    int visibleCount() const;
    const Row& visibleRow(int row) const;
    void rebuildVisible();
    void keepDetail(const CallRecord& record);

    std::deque<Row> m_rows; // grows without moving a million rows at once
    // Rows the views have been told of: a batch is appended first, then announced in one insert.
    std::size_t m_announced = 0;
    std::vector<qint32> m_visible; // indices into m_rows when a filter is set
    QHash<qint64, qint32> m_open;  // sequence -> row, for calls not yet finished
    QStringList m_strings;
    QHash<QString, quint32> m_stringIds;
    QHash<qint64, CallRecord> m_details;
    std::deque<qint64> m_detailOrder;
    std::vector<CallRecord> m_queue;
    std::size_t m_queueHead = 0; // next record of m_queue to take
    QTimer m_flush;
    int m_batchMs = 100;
    CallFilter m_filter;
    QByteArray m_asciiNeedle; // the filter text as Latin-1 when it is ASCII: searched without conversion
    // Per interned string: does it match the filter text / the tool / the grant.
    std::vector<bool> m_textHit;
    qint64 m_toolId = -1, m_grantId = -1;
};

} // namespace gatehouse::ui
