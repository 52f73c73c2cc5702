// SPDX-License-Identifier: GPL-3.0-or-later
#include "WhatIfReplay.h"

#include "audit/AuditReader.h"
#include "counters/InMemoryCounterStore.h"
#include "decision/Evaluator.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QSqlQuery>

namespace gatehouse {

namespace {

bool rulesReadArguments(const std::optional<QList<Rule>>& rules)
{
    if (!rules)
        return false;
    for (const Rule& r : *rules)
        if (r.conditions && !r.conditions->isEmpty())
            return true;
    return false;
}

bool limitsReadArguments(const std::optional<QList<Limit>>& limits)
{
    if (!limits)
        return false;
    for (const Limit& l : *limits)
        if (l.incrementFrom)
            return true;
    return false;
}

// Whether deciding a call of `tool` under `policy` looks at its arguments.
bool readsArguments(const Policy& policy, const QString& tool)
{
    if (policy.allTools && limitsReadArguments(policy.allTools->limits))
        return true;
    const ToolPolicy* t = policy.tool(tool);
    return t && (rulesReadArguments(t->require) || rulesReadArguments(t->denyIf) ||
                 rulesReadArguments(t->approveIf) || limitsReadArguments(t->limits));
}

// "2026-11-24T10:00:00.123Z" (as the audit log writes it) in milliseconds, without QDateTime's
// general parser: a million rows must replay in seconds.
qint64 parseTimeMs(const QString& s)
{
    auto digits = [&s](int from, int n) {
        int v = 0;
        for (int i = from; i < from + n; ++i) {
            const char16_t c = s.at(i).unicode();
            if (c < u'0' || c > u'9')
                return -1;
            v = v * 10 + (c - u'0');
        }
        return v;
    };
    if (s.size() == 24 && s.at(4) == u'-' && s.at(10) == u'T' && s.at(19) == u'.' && s.at(23) == u'Z') {
        const int y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2),
                  mi = digits(14, 2), sec = digits(17, 2), ms = digits(20, 3);
        if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && h >= 0 && mi >= 0 && sec >= 0 && ms >= 0) {
            // Days from the civil date (Howard Hinnant's algorithm).
            const int yy = y - (mo <= 2 ? 1 : 0);
            const int era = yy / 400;
            const int yoe = yy - era * 400;
            const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            const qint64 days = qint64(era) * 146097 + doe - 719468;
            return ((days * 24 + h) * 60 + mi) * 60'000 + sec * 1000 + ms;
        }
    }
    return QDateTime::fromString(s, Qt::ISODateWithMs).toMSecsSinceEpoch();
}

} // namespace

QString WhatIfReplay::verdictThen(const QString& verdict, const QString& rule, const QString& approver)
{
    if (rule == DecisionRule::auditUnavailable() || rule == DecisionRule::countersUnavailable() ||
        rule == DecisionRule::heldForReview())
        return {};
    if (!approver.isEmpty() || verdict == u"needs-approval" || rule == DecisionRule::approvalTimeout() ||
        rule.startsWith(QLatin1String("(rejected by ")))
        return QStringLiteral("needs-approval");
    return verdict;
}

namespace {

// One replay's running state: the draft's evaluator with the counters it fills, and what was found.
struct Replayer
{
    Replayer(const Policy& d, const WhatIfReplay::Options& o, WhatIfReplay::Report& r)
        : draft(d)
        , options(o)
        , report(r)
    {}

    const Policy& draft;
    const WhatIfReplay::Options& options;
    WhatIfReplay::Report& report;
    Evaluator evaluator{std::make_shared<InMemoryCounterStore>()};
    QHash<QString, bool> argumentReaders; // per tool
    QHash<QString, qsizetype> groups;     // tool, verdicts and rules → index in report.changes
    qint64 firstMs = 0;
    qint64 lastMs = 0;

    // The columns row() reads, in this order.
    static QStringList columns()
    {
        return {QStringLiteral("seq"),     QStringLiteral("time"), QStringLiteral("grant_label"),
                QStringLiteral("session"), QStringLiteral("tool"), QStringLiteral("arguments"),
                QStringLiteral("verdict"), QStringLiteral("rule"), QStringLiteral("approver")};
    }

    void row(const QSqlQuery& q)
    {
        const QString then =
            WhatIfReplay::verdictThen(q.value(6).toString(), q.value(7).toString(), q.value(8).toString());
        if (then.isEmpty()) {
            ++report.skipped;
            return;
        }
        const QString tool = q.value(4).toString();
        const QString argumentsText = q.value(5).toString();
        auto reader = argumentReaders.find(tool);
        if (reader == argumentReaders.end())
            reader = argumentReaders.insert(tool, readsArguments(draft, tool));
        if (*reader && argumentsText.isEmpty()) {
            ++report.unjudged;
            return;
        }
        const qint64 timeMs = parseTimeMs(q.value(1).toString());
        if (report.replayed == 0)
            firstMs = timeMs;
        lastMs = timeMs;
        ToolCall call;
        call.tool = tool;
        call.grant = q.value(2).toString();
        call.session = q.value(3).toString();
        if (*reader)
            call.arguments = QJsonDocument::fromJson(argumentsText.toUtf8()).object();
        Decision d = evaluator.decide(draft, call, timeMs);
        // Counters fill as they would have: an allowed call ran; one that now needs a person is assumed
        // to get the answer it got back then.
        if (d.verdict == Verdict::Allowed)
            d.reservation.commit();
        else if (d.verdict == Verdict::NeedsApproval && q.value(6).toString() == u"allowed")
            evaluator.reserveApproved(draft, call, timeMs).reservation.commit();
        ++report.replayed;
        const QString after = verdictName(d.verdict);
        if (after != then)
            changed(tool, then, after, q.value(7).toString(), d.rule, q.value(0).toLongLong());
    }

    void changed(const QString& tool, const QString& then, const QString& after, const QString& ruleBefore,
                 const QString& ruleAfter, qint64 seq)
    {
        ++report.changed;
        const QString key =
            tool + u'\x1f' + then + u'\x1f' + after + u'\x1f' + ruleBefore + u'\x1f' + ruleAfter;
        auto g = groups.find(key);
        if (g == groups.end()) {
            g = groups.insert(key, report.changes.size());
            report.changes.append({tool, then, after, ruleBefore, ruleAfter, 0, {}});
        }
        WhatIfReplay::Change& c = report.changes[*g];
        ++c.count;
        if (c.examples.size() < options.examples)
            c.examples.append(seq);
    }
};

} // namespace

std::optional<WhatIfReplay::Report> WhatIfReplay::run(const Policy& draft, const QString& auditPath,
                                                      const Options& options, QString* error,
                                                      const std::function<bool(qint64)>& progress)
{
    QElapsedTimer timer;
    timer.start();
    Report report;
    AuditFilter filter;
    filter.toolCallsOnly = true;
    filter.since = options.since;
    if (!options.server.isEmpty())
        filter.server = options.server;
    {
        Replayer replay{draft, options, report};
        qint64 rows = 0;
        QString why;
        AuditReader log(auditPath);
        const bool read = log.scan(
            filter, Replayer::columns(),
            [&](const QSqlQuery& q) {
                if (progress && (++rows & 0xFFFF) == 0 && !progress(rows))
                    return false;
                replay.row(q);
                return true;
            },
            &why);
        if (!read) {
            *error = QStringLiteral("cannot read the audit log %1: %2").arg(auditPath, why);
            return std::nullopt;
        }
        if (report.replayed > 0) {
            report.first = QDateTime::fromMSecsSinceEpoch(replay.firstMs, Qt::UTC);
            report.last = QDateTime::fromMSecsSinceEpoch(replay.lastMs, Qt::UTC);
        }
    }
    std::stable_sort(report.changes.begin(), report.changes.end(),
                     [](const Change& a, const Change& b) { return a.count > b.count; });
    report.seconds = timer.nsecsElapsed() / 1e9;
    return report;
}

} // namespace gatehouse
