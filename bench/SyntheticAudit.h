// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "audit/AuditLog.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <cstdio>

// An audit log of `calls` calls over the 30 Rolli tools and 20 grants across one day, in the schema the
// proxy makes, written straight to SQLite (hashes do not matter to a benchmark). False if it cannot be.
inline bool writeSyntheticAudit(const QString& path, qint64 calls)
{
    {
        gatehouse::AuditLog log(path);
        QString error;
        if (!log.open(&error)) {
            std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(path), qPrintable(error));
            return false;
        }
    }
    QFile catalogueFile(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"));
    catalogueFile.open(QIODevice::ReadOnly);
    QStringList tools;
    for (const QJsonValue& t :
         QJsonDocument::fromJson(catalogueFile.readAll())[QLatin1String("tools")].toArray())
        tools << t[QLatin1String("name")].toString();
    bool ok = true;
    {
        QSqlDatabase sql = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("fill"));
        sql.setDatabaseName(path);
        sql.open();
        QSqlQuery q(sql);
        q.exec(QStringLiteral("PRAGMA synchronous = OFF"));
        sql.transaction();
        q.prepare(QStringLiteral(
            "INSERT INTO calls (seq, time, grant_label, server, session, method, tool, verdict, "
            "rule, approver, prev_hash, hash) VALUES (?, ?, ?, 'rolli', ?, 'tools/call', ?, ?, "
            "'', '', '', '')"));
        QRandomGenerator random(7);
        const QDateTime start =
            QDateTime::fromString(QStringLiteral("2026-11-20T00:00:00.000Z"), Qt::ISODateWithMs);
        for (qint64 i = 1; i <= calls && ok; ++i) {
            q.addBindValue(i);
            q.addBindValue(start.addMSecs(i * 86'400'000 / calls).toString(Qt::ISODateWithMs));
            q.addBindValue(QStringLiteral("agent-%1").arg(random.bounded(20)));
            q.addBindValue(QStringLiteral("session-%1").arg(i / 500));
            q.addBindValue(tools.at(random.bounded(int(tools.size()))));
            q.addBindValue(QStringLiteral("allowed"));
            if (!q.exec()) {
                std::fprintf(stderr, "insert: %s\n", qPrintable(q.lastError().text()));
                ok = false;
            }
        }
        sql.commit();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("fill"));
    return ok;
}
