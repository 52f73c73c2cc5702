// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditSchema.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStringList>

namespace gatehouse::auditschema {

namespace {

const char* const Tables[] = {
    "CREATE TABLE IF NOT EXISTS calls ("
    " seq INTEGER PRIMARY KEY, time TEXT NOT NULL, request_id TEXT, grant_label TEXT, server TEXT, session "
    "TEXT,"
    " method TEXT, tool TEXT, argument_keys TEXT, arguments_sha256 TEXT, arguments TEXT, verdict TEXT, rule "
    "TEXT,"
    " message TEXT, approver TEXT, approval_note TEXT, outcome TEXT, upstream_error TEXT, latency_ms REAL,"
    " result_bytes INTEGER, result_is_error INTEGER, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
    " client TEXT)",
    "CREATE INDEX IF NOT EXISTS calls_time ON calls(time)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
};

bool newer(int found, QString* error)
{
    if (found <= Current)
        return false;
    *error =
        QStringLiteral("the audit log was written by a newer Gatehouse (schema version %1; this one knows "
                       "up to %2): use that version, or another --audit file")
            .arg(found)
            .arg(Current);
    return true;
}

} // namespace

int version(QSqlDatabase& db, QString* error)
{
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
        return q.value(0).toInt();
    if (error) {
        *error = q.lastError().text();
        if (error->trimmed().isEmpty())
            *error = QStringLiteral("cannot read the schema version (not an audit log?)");
    }
    return -1;
}

bool prepareForWriting(QSqlDatabase& db, QString* error)
{
    QSqlQuery q(db);
    auto run = [&](const QString& statement) {
        if (q.exec(statement))
            return true;
        *error = q.lastError().text();
        return false;
    };
    // Outside the transaction: SQLite sets these per connection (WAL sticks to the file).
    if (!run(QStringLiteral("PRAGMA journal_mode=WAL")) || !run(QStringLiteral("PRAGMA synchronous=NORMAL")))
        return false;
    const int found = version(db, error);
    if (found < 0 || newer(found, error))
        return false;
    if (found == Current)
        return true;
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    bool ok = true;
    for (const char* statement : Tables)
        ok = ok && run(QString::fromLatin1(statement));
    // 0 -> 1: a first-release file has no client column.
    if (ok && !db.record(QStringLiteral("calls")).contains(QStringLiteral("client")))
        ok = run(QStringLiteral("ALTER TABLE calls ADD COLUMN client TEXT"));
    ok = ok && run(QStringLiteral("PRAGMA user_version = %1").arg(Current));
    if (!ok) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        *error = db.lastError().text();
        return false;
    }
    return true;
}

bool checkReadable(QSqlDatabase& db, QString* error)
{
    const int found = version(db, error);
    return found >= 0 && !newer(found, error);
}

} // namespace gatehouse::auditschema
