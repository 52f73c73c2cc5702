// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/CallRecord.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

class QSqlQuery;
class QSqlRecord;

namespace gatehouse {

// One row of the audit log, as stored: arguments reduced to their sorted keys and SHA-256 unless
// the server opted in to full arguments. canonical() is the text the hash chain covers.
struct AuditRow
{
    qint64 seq = 0;
    QString time;
    QString requestId;
    QString grant;
    QString server;
    QString session;
    QString method;
    QString tool;
    QByteArray argumentKeys; // canonical JSON array
    QString argumentsSha256;
    QByteArray arguments; // canonical JSON object, or empty: not kept
    QString verdict;
    QString rule;
    QString message;
    QString approver;
    QString approvalNote;
    QString outcome;
    QString upstreamError;
    double latencyMs = 0;
    qint64 resultBytes = 0;
    bool resultIsError = false;
    QString client; // added later: left out of canonical() when empty, so older rows keep their hashes

    static AuditRow from(qint64 seq, const CallRecord& record, bool fullArguments);
    static AuditRow fromSql(const QSqlRecord& record);
    // Compact JSON, keys sorted: the same row always has the same text.
    QByteArray canonical() const;
    void bind(QSqlQuery& insert) const; // in the order of columns()
    static const QStringList& columns();
};

} // namespace gatehouse
