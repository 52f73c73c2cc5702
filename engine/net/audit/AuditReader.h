// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AuditRow.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>
#include <vector>

class QSqlDatabase;
class QSqlQuery;

namespace gatehouse {

// What to read of the audit log: newest first, a page at a time.
struct AuditQuery
{
    QString text;    // in tool, agent, grant, server, rule, verdict, outcome, approver, note, keys, message
    QDateTime since; // invalid: any time
    qint64 upToSeq = -1; // the snapshot being paged (rows written later wait); -1: the newest now
    int page = 0;
    int pageSize = 500;
    bool toolCallsOnly = false; // only tools/call rows (History lists calls; approval receipts are not)
};

// Which rows to scan, oldest first (audit export, what-if).
struct AuditFilter
{
    QDateTime since;               // invalid: any time
    std::optional<QString> server; // unset: any
    std::optional<QString> grant;
    std::optional<QString> tool;
    bool toolCallsOnly = false; // only tools/call rows
};

struct AuditPage
{
    qint64 upToSeq = 0; // the snapshot these rows are of
    qint64 total = 0;   // rows matching, in that snapshot
    int page = 0;       // clamped to the last page
    std::vector<AuditRow> rows;
    QString error; // the log could not be read
};

// Reads the audit log on a read-only connection of its own, opened on the thread that first reads
// (SQLite connections belong to one thread). The proxy's writer is never blocked (WAL). A search may
// scan the whole log: run it off the GUI thread.
class AuditReader
{
public:
    explicit AuditReader(QString path);
    ~AuditReader();
    AuditReader(const AuditReader&) = delete;
    AuditReader& operator=(const AuditReader&) = delete;

    AuditPage page(const AuditQuery& query);
    // Every row `filter` lets through, oldest first, with `columns` (empty: all of them) as the query's
    // values in that order; `row` returns false to stop. False, and why, when the log cannot be read.
    bool scan(const AuditFilter& filter, const QStringList& columns,
              const std::function<bool(const QSqlQuery& row)>& row, QString* error);

private:
    // The connection, opened on first use, and checked for a schema this Gatehouse reads.
    bool open(QSqlDatabase* db, QString* error);

    QString m_path;
    QString m_connection;
};

} // namespace gatehouse

Q_DECLARE_METATYPE(gatehouse::AuditQuery)
Q_DECLARE_METATYPE(gatehouse::AuditPage)
