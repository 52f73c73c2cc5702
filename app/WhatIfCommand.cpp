// SPDX-License-Identifier: GPL-3.0-or-later
#include "WhatIfCommand.h"

#include "audit/AuditLog.h"
#include "policy/PolicyParser.h"
#include "whatif/WhatIfReplay.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace gatehouse::cli {

namespace {
QString ruleText(const QString& rule)
{
    return rule.isEmpty() ? QStringLiteral("(no rule)") : rule;
}

QJsonObject toJson(const WhatIfReplay::Report& r)
{
    QJsonArray changes;
    for (const WhatIfReplay::Change& c : r.changes) {
        QJsonArray examples;
        for (qint64 seq : c.examples)
            examples.append(seq);
        changes.append(QJsonObject{{QStringLiteral("tool"), c.tool},
                                   {QStringLiteral("before"), c.before},
                                   {QStringLiteral("after"), c.after},
                                   {QStringLiteral("rule_before"), c.ruleBefore},
                                   {QStringLiteral("rule_after"), c.ruleAfter},
                                   {QStringLiteral("count"), c.count},
                                   {QStringLiteral("examples"), examples}});
    }
    return {{QStringLiteral("replayed"), r.replayed},
            {QStringLiteral("changed"), r.changed},
            {QStringLiteral("unjudged"), r.unjudged},
            {QStringLiteral("skipped"), r.skipped},
            {QStringLiteral("first"), r.first.toString(Qt::ISODateWithMs)},
            {QStringLiteral("last"), r.last.toString(Qt::ISODateWithMs)},
            {QStringLiteral("seconds"), r.seconds},
            {QStringLiteral("changes"), changes}};
}
} // namespace

int whatif(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    const QCommandLineOption since(
        QStringLiteral("since"), QStringLiteral("Only calls at or after this time."), QStringLiteral("TIME"));
    const QCommandLineOption server(QStringLiteral("server"), QStringLiteral("Only this server's calls."),
                                    QStringLiteral("NAME"));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("The audit database."),
                                QStringLiteral("FILE"), AuditLog::defaultPath());
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("text or json."),
                                    QStringLiteral("FORMAT"), QStringLiteral("text"));
    parser.addOptions({since, server, db, format});
    auto usage = [&err] {
        err << "usage: gatehouse whatif DRAFT.json [--since TIME] [--server NAME] [--db FILE] [--format "
               "text|json]\n";
        return 2;
    };
    if (!parser.parse(QStringList{QStringLiteral("gatehouse whatif")} + args) ||
        parser.positionalArguments().size() != 1 ||
        (parser.value(format) != u"text" && parser.value(format) != u"json"))
        return usage();
    WhatIfReplay::Options options;
    options.server = parser.value(server);
    if (parser.isSet(since)) {
        options.since = QDateTime::fromString(parser.value(since), Qt::ISODateWithMs);
        if (!options.since.isValid()) {
            err << "gatehouse whatif: --since must be an ISO 8601 time, e.g. 2026-11-24T00:00:00Z\n";
            return 2;
        }
    }
    const QString draftPath = parser.positionalArguments().first();
    const PolicyLoad draft = PolicyParser::parseFile(draftPath);
    if (!draft.policy) {
        err << "gatehouse whatif: " << draftPath << " is not a valid policy:\n";
        for (const Diagnostic& d : draft.errors)
            err << "  " << d.toString() << '\n';
        return 2;
    }
    if (!QFileInfo::exists(parser.value(db))) {
        err << "gatehouse whatif: no audit log at " << parser.value(db) << " (give it with --db)\n";
        return 2;
    }
    QString error;
    const std::optional<WhatIfReplay::Report> r =
        WhatIfReplay::run(*draft.policy, parser.value(db), options, &error);
    if (!r) {
        err << "gatehouse whatif: " << error << '\n';
        return 2;
    }
    if (parser.value(format) == u"json") {
        out << QJsonDocument(toJson(*r)).toJson(QJsonDocument::Indented);
        return r->unchanged() ? 0 : 1;
    }
    out << "Replayed " << r->replayed << " calls";
    if (r->replayed > 0)
        out << " (" << r->first.toString(Qt::ISODate) << " to " << r->last.toString(Qt::ISODate) << ")";
    out << " against " << draftPath << " in " << QString::number(r->seconds, 'f', 2) << " s.\n";
    if (r->unchanged()) {
        out << "Nothing would be decided differently.\n";
    } else {
        out << r->changed << " would be decided differently:\n";
        int toolWidth = 4;
        for (const WhatIfReplay::Change& c : r->changes)
            toolWidth = std::max(toolWidth, int(c.tool.size()));
        for (const WhatIfReplay::Change& c : r->changes) {
            out << "  " << c.tool.leftJustified(toolWidth) << "  "
                << QStringLiteral("%1 → %2").arg(c.before, c.after).leftJustified(30) << "  "
                << QString::number(c.count).rightJustified(8) << "  by " << ruleText(c.ruleAfter) << "  (was "
                << ruleText(c.ruleBefore) << "; e.g. call";
            for (qint64 seq : c.examples)
                out << ' ' << seq;
            out << ")\n";
        }
    }
    if (r->unjudged > 0)
        out << r->unjudged
            << " calls could not be judged: the draft's rules for them read arguments the audit log did not "
               "keep "
               "(\"audit_arguments\": true keeps them).\n";
    if (r->skipped > 0)
        out << r->skipped
            << " calls were not decided by the policy (audit log or counters unavailable, tool held for "
               "review) "
               "and were left out.\n";
    return r->unchanged() ? 0 : 1;
}

} // namespace gatehouse::cli
