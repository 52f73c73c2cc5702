// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditRow.h"

#include "json/JsonWriter.h"
#include <QCryptographicHash>
#include <QJsonArray>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>
#include <cmath>

namespace gatehouse {

namespace {
QVariant text(const QString& s)
{
    return s.isNull() ? QVariant(QString::fromLatin1("")) : QVariant(s);
}
} // namespace

const QStringList& AuditRow::columns()
{
    static const QStringList names{QStringLiteral("seq"),
                                   QStringLiteral("time"),
                                   QStringLiteral("request_id"),
                                   QStringLiteral("grant_label"),
                                   QStringLiteral("server"),
                                   QStringLiteral("session"),
                                   QStringLiteral("method"),
                                   QStringLiteral("tool"),
                                   QStringLiteral("argument_keys"),
                                   QStringLiteral("arguments_sha256"),
                                   QStringLiteral("arguments"),
                                   QStringLiteral("verdict"),
                                   QStringLiteral("rule"),
                                   QStringLiteral("message"),
                                   QStringLiteral("approver"),
                                   QStringLiteral("approval_note"),
                                   QStringLiteral("outcome"),
                                   QStringLiteral("upstream_error"),
                                   QStringLiteral("latency_ms"),
                                   QStringLiteral("result_bytes"),
                                   QStringLiteral("result_is_error"),
                                   QStringLiteral("client")};
    return names;
}

AuditRow AuditRow::from(qint64 seq, const CallRecord& r, bool fullArguments)
{
    AuditRow row;
    row.seq = seq;
    row.time = r.time.toString(Qt::ISODateWithMs);
    row.requestId = r.requestId;
    row.grant = r.grant;
    row.server = r.server;
    row.session = r.session;
    row.method = r.method.isEmpty() ? QStringLiteral("tools/call") : r.method;
    row.tool = r.tool;
    QStringList keys = r.arguments.keys();
    keys.sort();
    row.argumentKeys = JsonWriter::canonical(QJsonArray::fromStringList(keys));
    const QByteArray canonicalArguments = JsonWriter::canonical(r.arguments);
    row.argumentsSha256 =
        QString::fromLatin1(QCryptographicHash::hash(canonicalArguments, QCryptographicHash::Sha256).toHex());
    if (fullArguments)
        row.arguments = canonicalArguments;
    row.verdict = verdictName(r.verdict);
    row.rule = r.rule;
    row.message = r.message;
    row.approver = r.approver;
    row.approvalNote = r.approvalNote;
    row.outcome = outcomeName(r.outcome);
    row.upstreamError = r.upstreamError;
    row.latencyMs = std::round(r.latencyMs * 1000) / 1000.0;
    row.resultBytes = r.resultBytes;
    row.resultIsError = r.resultIsError;
    row.client = r.client;
    return row;
}

AuditRow AuditRow::fromSql(const QSqlRecord& rec)
{
    AuditRow row;
    row.seq = rec.value(QStringLiteral("seq")).toLongLong();
    row.time = rec.value(QStringLiteral("time")).toString();
    row.requestId = rec.value(QStringLiteral("request_id")).toString();
    row.grant = rec.value(QStringLiteral("grant_label")).toString();
    row.server = rec.value(QStringLiteral("server")).toString();
    row.session = rec.value(QStringLiteral("session")).toString();
    row.method = rec.value(QStringLiteral("method")).toString();
    row.tool = rec.value(QStringLiteral("tool")).toString();
    row.argumentKeys = rec.value(QStringLiteral("argument_keys")).toString().toUtf8();
    row.argumentsSha256 = rec.value(QStringLiteral("arguments_sha256")).toString();
    const QVariant arguments = rec.value(QStringLiteral("arguments"));
    row.arguments = arguments.isNull() ? QByteArray() : arguments.toString().toUtf8();
    row.verdict = rec.value(QStringLiteral("verdict")).toString();
    row.rule = rec.value(QStringLiteral("rule")).toString();
    row.message = rec.value(QStringLiteral("message")).toString();
    row.approver = rec.value(QStringLiteral("approver")).toString();
    row.approvalNote = rec.value(QStringLiteral("approval_note")).toString();
    row.outcome = rec.value(QStringLiteral("outcome")).toString();
    row.upstreamError = rec.value(QStringLiteral("upstream_error")).toString();
    row.latencyMs = rec.value(QStringLiteral("latency_ms")).toDouble();
    row.resultBytes = rec.value(QStringLiteral("result_bytes")).toLongLong();
    row.resultIsError = rec.value(QStringLiteral("result_is_error")).toInt() != 0;
    row.client = rec.value(QStringLiteral("client")).toString();
    return row;
}

QByteArray AuditRow::canonical() const
{
    QByteArray out;
    out.reserve(512 + arguments.size());
    auto key = [&out](const char* name) {
        out += out.isEmpty() ? "{\"" : ",\"";
        out += name;
        out += "\":";
    };
    auto str = [&out, &key](const char* name, const QString& value) {
        key(name);
        JsonWriter::appendString(out, value);
    };
    // Keys in sorted order.
    str("approval_note", approvalNote);
    str("approver", approver);
    key("argument_keys");
    out += argumentKeys;
    key("arguments");
    out += arguments.isEmpty() ? QByteArray("null") : arguments;
    str("arguments_sha256", argumentsSha256);
    if (!client.isEmpty())
        str("client", client);
    str("grant_label", grant);
    key("latency_ms");
    JsonWriter::appendNumber(out, latencyMs);
    str("message", message);
    str("method", method);
    str("outcome", outcome);
    str("request_id", requestId);
    key("result_bytes");
    out += QByteArray::number(resultBytes);
    key("result_is_error");
    out += resultIsError ? "true" : "false";
    str("rule", rule);
    key("seq");
    out += QByteArray::number(seq);
    str("server", server);
    str("session", session);
    str("time", time);
    str("tool", tool);
    str("upstream_error", upstreamError);
    str("verdict", verdict);
    out += '}';
    return out;
}

void AuditRow::bind(QSqlQuery& q) const
{
    q.addBindValue(seq);
    q.addBindValue(text(time));
    q.addBindValue(text(requestId));
    q.addBindValue(text(grant));
    q.addBindValue(text(server));
    q.addBindValue(text(session));
    q.addBindValue(text(method));
    q.addBindValue(text(tool));
    q.addBindValue(QString::fromUtf8(argumentKeys));
    q.addBindValue(text(argumentsSha256));
    q.addBindValue(arguments.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                       : QVariant(QString::fromUtf8(arguments)));
    q.addBindValue(text(verdict));
    q.addBindValue(text(rule));
    q.addBindValue(text(message));
    q.addBindValue(text(approver));
    q.addBindValue(text(approvalNote));
    q.addBindValue(text(outcome));
    q.addBindValue(text(upstreamError));
    q.addBindValue(latencyMs);
    q.addBindValue(resultBytes);
    q.addBindValue(resultIsError ? 1 : 0);
    q.addBindValue(text(client));
}

} // namespace gatehouse
