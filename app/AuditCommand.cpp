// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditCommand.h"

#include "audit/AuditLog.h"
#include "audit/AuditSchema.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

namespace gatehouse::cli {

namespace {

QString csvField(const QVariant& v)
{
    QString s = v.isNull() ? QString() : v.toString();
    if (s.contains(u',') || s.contains(u'"') || s.contains(u'\n') || s.contains(u'\r'))
        s = u'"' + s.replace(u'"', QStringLiteral("\"\"")) + u'"';
    return s;
}

int exportRows(const QString& path, const QCommandLineParser& parser, const QString& format, QTextStream& out,
               QTextStream& err)
{
    int rc = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("export"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        QString why;
        if (!db.open() || !auditschema::checkReadable(db, &why)) {
            err << "gatehouse audit: cannot open " << path << ": "
                << (why.isEmpty() ? db.lastError().text() : why) << '\n';
            rc = 1;
        } else {
            QStringList where;
            QVariantList binds;
            if (parser.isSet(QStringLiteral("since"))) {
                where << QStringLiteral("time >= ?");
                binds << QDateTime::fromString(parser.value(QStringLiteral("since")), Qt::ISODateWithMs)
                             .toUTC()
                             .toString(Qt::ISODateWithMs);
            }
            if (parser.isSet(QStringLiteral("grant"))) {
                where << QStringLiteral("grant_label = ?");
                binds << parser.value(QStringLiteral("grant"));
            }
            if (parser.isSet(QStringLiteral("tool"))) {
                where << QStringLiteral("tool = ?");
                binds << parser.value(QStringLiteral("tool"));
            }
            QSqlQuery q(db);
            q.setForwardOnly(true);
            q.prepare(QStringLiteral("SELECT * FROM calls%1 ORDER BY seq")
                          .arg(where.isEmpty()
                                   ? QString()
                                   : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "))));
            for (const QVariant& b : binds)
                q.addBindValue(b);
            if (!q.exec()) {
                err << "gatehouse audit: " << q.lastError().text() << '\n';
                rc = 1;
            }
            bool header = true;
            while (q.next()) {
                const QSqlRecord rec = q.record();
                if (format == u"csv") {
                    QStringList cells;
                    if (header) {
                        for (int i = 0; i < rec.count(); ++i)
                            cells << rec.fieldName(i);
                        out << cells.join(u',') << "\r\n";
                        cells.clear();
                        header = false;
                    }
                    for (int i = 0; i < rec.count(); ++i)
                        cells << csvField(rec.value(i));
                    out << cells.join(u',') << "\r\n";
                } else {
                    QJsonObject o;
                    for (int i = 0; i < rec.count(); ++i) {
                        const QString name = rec.fieldName(i);
                        const QVariant v = rec.value(i);
                        if (v.isNull())
                            o.insert(name, QJsonValue(QJsonValue::Null));
                        else if (name == u"argument_keys" || name == u"arguments")
                            o.insert(
                                name,
                                QJsonDocument::fromJson(v.toString().toUtf8()).isArray()
                                    ? QJsonValue(QJsonDocument::fromJson(v.toString().toUtf8()).array())
                                    : QJsonValue(QJsonDocument::fromJson(v.toString().toUtf8()).object()));
                        else if (name == u"result_is_error")
                            o.insert(name, v.toInt() != 0);
                        else
                            o.insert(name, QJsonValue::fromVariant(v));
                    }
                    out << QJsonDocument(o).toJson(QJsonDocument::Compact) << '\n';
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("export"));
    return rc;
}

} // namespace

int audit(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("db"), QStringLiteral("The audit database."), QStringLiteral("FILE"),
         AuditLog::defaultPath()},
        {QStringLiteral("format"), QStringLiteral("jsonl or csv."), QStringLiteral("FORMAT"),
         QStringLiteral("jsonl")},
        {QStringLiteral("since"), QStringLiteral("Only calls at or after this ISO time."),
         QStringLiteral("TIME")},
        {QStringLiteral("grant"), QStringLiteral("Only this grant's calls."), QStringLiteral("LABEL")},
        {QStringLiteral("tool"), QStringLiteral("Only this tool's calls."), QStringLiteral("NAME")},
    });
    auto usage = [&err] {
        err << "usage: gatehouse audit verify [--db FILE]\n"
               "       gatehouse audit export --format jsonl|csv [--since TIME] [--grant LABEL] [--tool "
               "NAME] [--db FILE]\n";
        return 2;
    };
    if (!parser.parse(QStringList{QStringLiteral("gatehouse audit")} + args)) {
        err << "gatehouse audit: " << parser.errorText() << '\n';
        return 2;
    }
    const QStringList words = parser.positionalArguments();
    const QString db = parser.value(QStringLiteral("db"));
    if (words == QStringList{QStringLiteral("verify")}) {
        const AuditLog::Verification v = AuditLog::verify(db);
        if (v.intact) {
            out << "intact: " << v.rows << " rows, hash chain verified\n";
            return 0;
        }
        if (v.firstBrokenSeq >= 0)
            out << "broken at row " << v.firstBrokenSeq << ": " << v.problem << " (" << v.rows
                << " rows before it are intact)\n";
        else
            out << "cannot verify: " << v.problem << '\n';
        return 1;
    }
    if (words == QStringList{QStringLiteral("export")}) {
        const QString format = parser.value(QStringLiteral("format"));
        if (format != u"jsonl" && format != u"csv")
            return usage();
        if (parser.isSet(QStringLiteral("since")) &&
            !QDateTime::fromString(parser.value(QStringLiteral("since")), Qt::ISODateWithMs).isValid()) {
            err << "gatehouse audit: --since must be an ISO 8601 time\n";
            return 2;
        }
        if (!QFileInfo::exists(db)) {
            err << "gatehouse audit: no audit log at " << db << '\n';
            return 1;
        }
        return exportRows(db, parser, format, out, err);
    }
    return usage();
}

} // namespace gatehouse::cli
