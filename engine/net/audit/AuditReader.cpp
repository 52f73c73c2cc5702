// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditReader.h"

#include "AuditSchema.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUuid>

namespace gatehouse {

AuditReader::AuditReader(QString path)
    : m_path(std::move(path))
    , m_connection(QStringLiteral("audit-reader-") + QUuid::createUuid().toString(QUuid::Id128))
{}

AuditReader::~AuditReader()
{
    if (!QSqlDatabase::contains(m_connection))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool AuditReader::open(QSqlDatabase* db, QString* error)
{
    if (!QSqlDatabase::contains(m_connection)) {
        QSqlDatabase fresh = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        fresh.setDatabaseName(m_path);
        fresh.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    }
    *db = QSqlDatabase::database(m_connection, false);
    if (!db->isOpen() && !db->open()) {
        *error = db->lastError().text();
        return false;
    }
    return auditschema::checkReadable(*db, error);
}

bool AuditReader::scan(const AuditFilter& filter, const QStringList& columns,
                       const std::function<bool(const QSqlQuery& row)>& row, QString* error)
{
    QSqlDatabase db;
    if (!open(&db, error))
        return false;
    QStringList where;
    QVariantList binds;
    auto match = [&](const char* column, const QVariant& value) {
        where << QLatin1String(column) + QStringLiteral(" = ?");
        binds << value;
    };
    if (filter.toolCallsOnly)
        match("method", QStringLiteral("tools/call"));
    if (filter.since.isValid()) {
        where << QStringLiteral("time >= ?");
        binds << filter.since.toUTC().toString(Qt::ISODateWithMs);
    }
    if (filter.server)
        match("server", *filter.server);
    if (filter.grant)
        match("grant_label", *filter.grant);
    if (filter.tool)
        match("tool", *filter.tool);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM calls%2 ORDER BY seq")
                  .arg(columns.isEmpty() ? QStringLiteral("*") : columns.join(u','),
                       where.isEmpty() ? QString()
                                       : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "))));
    for (const QVariant& b : std::as_const(binds))
        q.addBindValue(b);
    if (!q.exec()) {
        *error = q.lastError().text();
        return false;
    }
    while (q.next())
        if (!row(q))
            break;
    return true;
}

AuditPage AuditReader::page(const AuditQuery& query)
{
    AuditPage result;
    auto fail = [&result](const QString& why) {
        result.error = why;
        return result;
    };
    QSqlDatabase db;
    if (QString why; !open(&db, &why))
        return fail(why);
    // A log an older version wrote, not yet opened by this one's writer, has no client column.
    const bool hasClient = db.record(QStringLiteral("calls")).contains(QStringLiteral("client"));
    QStringList where;
    QVariantList binds;
    if (const QString text = query.text.trimmed(); !text.isEmpty()) {
        QStringList columns{QStringLiteral("tool"),          QStringLiteral("grant_label"),
                            QStringLiteral("server"),        QStringLiteral("rule"),
                            QStringLiteral("verdict"),       QStringLiteral("outcome"),
                            QStringLiteral("approver"),      QStringLiteral("approval_note"),
                            QStringLiteral("argument_keys"), QStringLiteral("message")};
        if (hasClient)
            columns << QStringLiteral("client");
        QString pattern = text;
        pattern.replace(u'\\', QStringLiteral("\\\\"))
            .replace(u'%', QStringLiteral("\\%"))
            .replace(u'_', QStringLiteral("\\_"));
        QStringList any;
        for (const QString& c : std::as_const(columns)) {
            any << c + QStringLiteral(" LIKE ? ESCAPE '\\'");
            binds << QString(u'%' + pattern + u'%');
        }
        where << u'(' + any.join(QStringLiteral(" OR ")) + u')';
    }
    if (query.since.isValid()) {
        where << QStringLiteral("time >= ?");
        binds << query.since.toUTC().toString(Qt::ISODateWithMs);
    }
    if (query.toolCallsOnly) {
        where << QStringLiteral("method = ?");
        binds << QStringLiteral("tools/call");
    }
    result.upToSeq = query.upToSeq;
    if (result.upToSeq < 0) {
        QSqlQuery top(db);
        if (!top.exec(QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM calls")) || !top.next())
            return fail(top.lastError().text());
        result.upToSeq = top.value(0).toLongLong();
    }
    where << QStringLiteral("seq <= ?");
    binds << result.upToSeq;
    const QString clause = QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));

    QSqlQuery count(db);
    count.prepare(QStringLiteral("SELECT COUNT(*) FROM calls") + clause);
    for (const QVariant& b : std::as_const(binds))
        count.addBindValue(b);
    if (!count.exec() || !count.next())
        return fail(count.lastError().text());
    result.total = count.value(0).toLongLong();
    const int pageSize = std::max(1, query.pageSize);
    const int lastPage = result.total > 0 ? int((result.total - 1) / pageSize) : 0;
    result.page = std::clamp(query.page, 0, lastPage);

    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT * FROM calls%1 ORDER BY seq DESC LIMIT %2 OFFSET %3")
                  .arg(clause)
                  .arg(pageSize)
                  .arg(qint64(result.page) * pageSize));
    for (const QVariant& b : std::as_const(binds))
        q.addBindValue(b);
    if (!q.exec())
        return fail(q.lastError().text());
    result.rows.reserve(std::size_t(pageSize));
    while (q.next())
        result.rows.push_back(AuditRow::fromSql(q.record()));
    return result;
}

} // namespace gatehouse
