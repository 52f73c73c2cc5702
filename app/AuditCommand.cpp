// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditCommand.h"

#include "approvals/ApprovalReceipts.h"
#include "approvals/ApprovalStore.h"
#include "audit/AuditLog.h"
#include "audit/AuditReader.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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

// One row as a JSON object: arguments and argument keys as JSON, flags as booleans.
QJsonObject rowObject(const QSqlRecord& rec)
{
    QJsonObject o;
    for (int i = 0; i < rec.count(); ++i) {
        const QString name = rec.fieldName(i);
        const QVariant v = rec.value(i);
        if (v.isNull()) {
            o.insert(name, QJsonValue(QJsonValue::Null));
        } else if (name == u"argument_keys" || name == u"arguments") {
            const QJsonDocument doc = QJsonDocument::fromJson(v.toString().toUtf8());
            o.insert(name, doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
        } else if (name == u"result_is_error") {
            o.insert(name, v.toInt() != 0);
        } else {
            o.insert(name, QJsonValue::fromVariant(v));
        }
    }
    return o;
}

int exportRows(const QString& path, const QCommandLineParser& parser, const QString& format, QTextStream& out,
               QTextStream& err)
{
    AuditFilter filter;
    if (parser.isSet(QStringLiteral("since")))
        filter.since = QDateTime::fromString(parser.value(QStringLiteral("since")), Qt::ISODateWithMs);
    if (parser.isSet(QStringLiteral("grant")))
        filter.grant = parser.value(QStringLiteral("grant"));
    if (parser.isSet(QStringLiteral("tool")))
        filter.tool = parser.value(QStringLiteral("tool"));
    bool header = true;
    QString why;
    AuditReader log(path);
    const bool read = log.scan(
        filter, {},
        [&](const QSqlQuery& q) {
            const QSqlRecord rec = q.record();
            if (format != u"csv") {
                out << QJsonDocument(rowObject(rec)).toJson(QJsonDocument::Compact) << '\n';
                return true;
            }
            QStringList cells;
            if (std::exchange(header, false)) {
                for (int i = 0; i < rec.count(); ++i)
                    cells << rec.fieldName(i);
                out << cells.join(u',') << "\r\n";
                cells.clear();
            }
            for (int i = 0; i < rec.count(); ++i)
                cells << csvField(rec.value(i));
            out << cells.join(u',') << "\r\n";
            return true;
        },
        &why);
    if (!read) {
        err << "gatehouse audit: cannot read " << path << ": " << why << '\n';
        return 1;
    }
    return 0;
}

// The story of one approval: what was asked, each call the agent made, what was decided, where it stands.
int showApproval(const QString& db, const QString& approvalsFile, const QString& id, QTextStream& out,
                 QTextStream& err)
{
    QList<std::pair<QDateTime, QString>> events;
    // What the approvals file says, for what the chain holds no receipt of.
    std::optional<std::pair<QDateTime, QString>> fileRequest, fileDecision;
    QString why;
    const std::optional<Approval> a = ApprovalStore::read(approvalsFile, id, &why);
    if (a) {
        const ApprovalRequest& r = a->request;
        out << "approval " << id << "  " << r.tool << " on " << r.server << "  grant "
            << (r.grant.isEmpty() ? QStringLiteral("(launch token)") : r.grant)
            << (r.client.isEmpty() ? QString() : QStringLiteral("  from ") + r.client) << '\n'
            << "  rule " << r.rule << "; arguments sha256 " << r.argumentsHash << '\n';
        fileRequest.emplace(r.created,
                            QStringLiteral("requested; the person had until %1")
                                .arg(r.deadline.isValid() ? r.deadline.toString(Qt::ISODate)
                                                          : QStringLiteral("they answered (held)")));
        if (a->decided.isValid())
            fileDecision.emplace(
                a->decided,
                QStringLiteral("decided: %1 by %2%3")
                    .arg(a->answer.choice
                             ? approvalChoiceName(*a->answer.choice)
                             : (a->answer.allows() ? QStringLiteral("allowed") : QStringLiteral("denied")),
                         a->answer.approver,
                         a->answer.note.isEmpty() ? QString() : QStringLiteral(": ") + a->answer.note));
    }
    AuditQuery q;
    q.text = id;
    q.pageSize = 1000;
    const AuditPage page = AuditReader(db).page(q);
    if (!page.error.isEmpty()) {
        err << "gatehouse audit: " << page.error << '\n';
        return 1;
    }
    int calls = 0;
    bool decidedReceipt = false, anyReceipt = false;
    for (auto row = page.rows.rbegin(); row != page.rows.rend(); ++row) {
        if (!row->message.contains(id))
            continue;                       // the id appeared elsewhere (an argument, by chance)
        if (row->method != u"tools/call") { // a receipt in the chain: the request, or the decision
            anyReceipt = true;
            decidedReceipt = decidedReceipt || row->method == QLatin1StringView(ApprovalReceipts::Decided);
            events.append({QDateTime::fromString(row->time, Qt::ISODateWithMs),
                           QStringLiteral("%1 (audit row %2)%3")
                               .arg(row->message)
                               .arg(row->seq)
                               .arg(row->approvalNote.isEmpty() ? QString()
                                                                : QStringLiteral(": ") + row->approvalNote)});
            continue;
        }
        events.append({QDateTime::fromString(row->time, Qt::ISODateWithMs),
                       QStringLiteral("call %1 arrived (request %2, audit row %3), ended %4, %5 — %6")
                           .arg(++calls)
                           .arg(row->requestId)
                           .arg(row->seq)
                           .arg(row->verdict, row->outcome, row->message)});
    }
    if (fileRequest) // its deadline, which the receipt does not carry
        events.prepend(*fileRequest);
    if (fileDecision && !decidedReceipt)
        events.append(*fileDecision);
    if (!a && calls == 0 && !anyReceipt) {
        err << "gatehouse audit: no approval " << id << " (" << why << ", and no call of it in " << db
            << ")\n";
        return 1;
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [when, what] : std::as_const(events))
        out << "  " << when.toUTC().toString(Qt::ISODateWithMs) << "  " << what << '\n';
    if (a)
        out << "  now: " << approvalStateName(a->state) << '\n';
    else
        out << "  (" << why << ")\n";
    return 0;
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
        {QStringLiteral("approvals"), QStringLiteral("The approvals file (show)."), QStringLiteral("FILE")},
    });
    auto usage = [&err] {
        err << "usage: gatehouse audit verify [--db FILE]\n"
               "       gatehouse audit show APPROVAL-ID [--db FILE] [--approvals FILE]\n"
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
    if (words.size() == 2 && words.first() == u"show") {
        if (!QFileInfo::exists(db)) {
            err << "gatehouse audit: no audit log at " << db << '\n';
            return 1;
        }
        const QString approvals = parser.isSet(QStringLiteral("approvals"))
                                      ? parser.value(QStringLiteral("approvals"))
                                      : ApprovalStore::pathBeside(db);
        return showApproval(db, approvals, words.at(1), out, err);
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
