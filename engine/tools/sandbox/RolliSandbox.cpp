// SPDX-License-Identifier: GPL-3.0-or-later
#include "RolliSandbox.h"

#include "SchemaCheck.h"

#include <QJsonDocument>
#include <QTimeZone>

namespace gatehouse {

namespace {
constexpr qint64 PendingMs = 1000;
constexpr qint64 RunningMs = 2000;
constexpr qint64 StuckMs = 60'000;
const QStringList Words{QStringLiteral("launch"),     QStringLiteral("pricing"), QStringLiteral("support"),
                        QStringLiteral("roadmap"),    QStringLiteral("outage"),  QStringLiteral("feature"),
                        QStringLiteral("competitor"), QStringLiteral("review")};

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}
} // namespace

RolliSandbox::RolliSandbox(const QJsonArray& catalogueTools, quint32 seed)
    : m_random(seed)
{
    for (const QJsonValue& t : catalogueTools) {
        const QJsonObject o = t.toObject();
        const QString name = o.value(QLatin1String("name")).toString();
        m_schemas.insert(name, o.value(QLatin1String("inputSchema")).toObject());
        m_tools.append(
            QJsonObject{{QStringLiteral("name"), name},
                        {QStringLiteral("description"), o.value(QLatin1String("summary")).toString()},
                        {QStringLiteral("inputSchema"), o.value(QLatin1String("inputSchema"))}});
    }
}

QJsonObject RolliSandbox::ok(const QJsonValue& payload) const
{
    const QByteArray text = payload.isObject()
                                ? QJsonDocument(payload.toObject()).toJson(QJsonDocument::Indented)
                                : QJsonDocument(payload.toArray()).toJson(QJsonDocument::Indented);
    QJsonObject result{{QStringLiteral("content"),
                        QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                               {QStringLiteral("text"), QString::fromUtf8(text)}}}}};
    if (payload.isObject())
        result.insert(QStringLiteral("structuredContent"), payload);
    return result;
}

QJsonObject RolliSandbox::error(const QString& message) const
{
    return {
        {QStringLiteral("content"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                           {QStringLiteral("text"), message}}}},
        {QStringLiteral("isError"), true}};
}

QString RolliSandbox::uuid()
{
    QByteArray b(16, Qt::Uninitialized);
    for (auto& c : b)
        c = char(m_random.bounded(256));
    b[6] = char((b[6] & 0x0f) | 0x40);
    b[8] = char((b[8] & 0x3f) | 0x80);
    const QString h = QString::fromLatin1(b.toHex());
    return QStringLiteral("%1-%2-%3-%4-%5")
        .arg(h.mid(0, 8), h.mid(8, 4), h.mid(12, 4), h.mid(16, 4), h.mid(20, 12));
}

QJsonObject RolliSandbox::call(const QString& tool, const QJsonObject& args, qint64 nowMs)
{
    if (!m_schemas.contains(tool))
        return error(QStringLiteral("Unknown tool: %1").arg(tool));
    const QString why = checkAgainstSchema(args, m_schemas.value(tool));
    if (!why.isEmpty())
        return error(QStringLiteral("400 Bad Request: %1").arg(why));
    for (const QString& id : std::as_const(m_runOrder))
        advance(m_runs[id], nowMs); // in the order they started: who gets the last credits is fair

    if (tool == u"keyword_search")
        return search(QStringLiteral("keyword"), args, nowMs);
    if (tool == u"user_search")
        return search(QStringLiteral("user"), args, nowMs);
    if (tool == u"expert_search")
        return search(QStringLiteral("expert"), args, nowMs);
    if (tool == u"list_keyword_searches")
        return listSearches(QStringLiteral("keyword"), args);
    if (tool == u"list_user_searches")
        return listSearches(QStringLiteral("user"), args);
    if (tool == u"list_expert_searches")
        return listSearches(QStringLiteral("expert"), args);
    if (tool == u"get_keyword_search")
        return getSearch(QStringLiteral("keyword"), args.value(QLatin1String("id")).toInteger(), false);
    if (tool == u"get_user_search")
        return getSearch(QStringLiteral("user"), args.value(QLatin1String("id")).toInteger(), false);
    if (tool == u"get_expert_search")
        return getSearch(QStringLiteral("expert"), args.value(QLatin1String("id")).toInteger(), false);
    if (tool == u"get_keyword_search_posts")
        return getSearch(QStringLiteral("keyword"), args.value(QLatin1String("search_id")).toInteger(), true);
    if (tool == u"get_user_search_posts")
        return getSearch(QStringLiteral("user"), args.value(QLatin1String("search_id")).toInteger(), true);
    if (tool == u"get_topic_tree") {
        const QJsonObject found =
            getSearch(QStringLiteral("keyword"), args.value(QLatin1String("search_id")).toInteger(), false);
        if (found.value(QLatin1String("isError")).toBool())
            return found;
        QJsonArray topics;
        for (int i = 0; i < 4; ++i)
            topics.append(
                QJsonObject{{QStringLiteral("topic"),
                             Words.at((args.value(QLatin1String("search_id")).toInt() + i) % Words.size())},
                            {QStringLiteral("share"), 0.4 / (i + 1)}});
        return ok(QJsonObject{{QStringLiteral("search_id"), args.value(QLatin1String("search_id"))},
                              {QStringLiteral("topics"), topics}});
    }
    if (tool == u"get_integration_setup")
        return ok(QJsonObject{{QStringLiteral("slack"),
                               QJsonObject{{QStringLiteral("connected"), !m_integrationReturnUrl.isEmpty()}}},
                              {QStringLiteral("email"), QJsonObject{{QStringLiteral("connected"), true}}}});
    if (tool == u"update_integration_setup") {
        m_integrationReturnUrl = args.value(QLatin1String("return_url")).toString();
        return ok(
            QJsonObject{{QStringLiteral("setup_url"),
                         QStringLiteral("https://rolli.example/integrations/slack?return=%1")
                             .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_integrationReturnUrl)))}});
    }
    if (tool == u"get_usage")
        return ok(QJsonObject{
            {QStringLiteral("month"), args.value(QLatin1String("month"))
                                          .toString(QDateTime::fromMSecsSinceEpoch(nowMs, QTimeZone::utc())
                                                        .toString(QStringLiteral("yyyy-MM")))},
            {QStringLiteral("search_credits_used"), m_searchCreditsUsed},
            {QStringLiteral("search_credits_remaining"), SearchCredits - m_searchCreditsUsed},
            {QStringLiteral("run_credits_used"), m_runCreditsUsed},
            {QStringLiteral("run_credits_remaining"), RunCredits - m_runCreditsUsed}});
    if (tool.contains(u"schedule"))
        return schedules(tool, args, nowMs);
    return runs(tool, args, nowMs);
}

QJsonArray RolliSandbox::posts(const Search& s, int count) const
{
    static const QStringList authors{QStringLiteral("@ana_builds"), QStringLiteral("@devnull"),
                                     QStringLiteral("@mkt_maria"), QStringLiteral("@ops_oliver"),
                                     QStringLiteral("@quinn.codes")};
    QJsonArray out;
    for (int i = 0; i < count; ++i) {
        const int k = int(s.id * 7 + i * 13);
        out.append(QJsonObject{
            {QStringLiteral("id"), QStringLiteral("%1-%2").arg(s.id).arg(i + 1)},
            {QStringLiteral("platform"),
             s.platforms.isEmpty() ? QStringLiteral("twitter") : s.platforms.at(i % s.platforms.size())},
            {QStringLiteral("author"), authors.at(k % authors.size())},
            {QStringLiteral("text"),
             QStringLiteral("%1: what people say about the %2").arg(s.query, Words.at(k % Words.size()))},
            {QStringLiteral("likes"), (k * 37) % 500},
            {QStringLiteral("sentiment"), (k % 3) == 0   ? QStringLiteral("negative")
                                          : (k % 3) == 1 ? QStringLiteral("neutral")
                                                         : QStringLiteral("positive")}});
    }
    return out;
}

QJsonObject RolliSandbox::searchJson(const Search& s, bool withPosts) const
{
    QJsonObject o{{QStringLiteral("id"), s.id},
                  {QStringLiteral("query"), s.query},
                  {QStringLiteral("status"), QStringLiteral("finished")},
                  {QStringLiteral("platforms"), QJsonArray::fromStringList(s.platforms)},
                  {QStringLiteral("created_at"), iso(s.createdMs)},
                  {QStringLiteral("post_count"), s.posts},
                  {QStringLiteral("analytics"), QJsonObject{{QStringLiteral("positive"), 0.46},
                                                            {QStringLiteral("neutral"), 0.35},
                                                            {QStringLiteral("negative"), 0.19}}}};
    if (withPosts)
        o.insert(QStringLiteral("posts"), posts(s, std::min(s.posts, 10)));
    return o;
}

QJsonObject RolliSandbox::search(const QString& kind, const QJsonObject& args, qint64 nowMs)
{
    const int cost = kind == u"expert" ? 20 : kind == u"user" ? 5 : 10;
    if (m_searchCreditsUsed + cost > SearchCredits)
        return error(QStringLiteral("402 Payment Required: not enough search credits (%1 left, %2 needed)")
                         .arg(SearchCredits - m_searchCreditsUsed)
                         .arg(cost));
    m_searchCreditsUsed += cost;
    Search s;
    s.id = m_nextSearchId++;
    s.kind = kind;
    s.query = args.value(QLatin1String("query")).toString();
    for (const QJsonValue& p : args.value(QLatin1String("platforms")).toArray())
        s.platforms << p.toString();
    if (args.contains(QLatin1String("platform")))
        s.platforms << args.value(QLatin1String("platform")).toString();
    s.createdMs = nowMs;
    s.posts = std::min(args.value(QLatin1String("max_post")).toInt(25), 20 + int(s.id % 17));
    m_searches.append(s);
    return ok(searchJson(s, true));
}

QJsonObject RolliSandbox::listSearches(const QString& kind, const QJsonObject& args) const
{
    const QString show = args.value(QLatin1String("show")).toString(QStringLiteral("all"));
    const int page = args.value(QLatin1String("page")).toInt(1);
    QJsonArray items;
    int index = 0;
    for (const Search& s : m_searches) {
        if (s.kind != kind || (show != u"all" && show != u"finished"))
            continue;
        if (index++ / 10 + 1 == page)
            items.append(searchJson(s, false));
    }
    return ok(QJsonObject{
        {QStringLiteral("page"), page}, {QStringLiteral("items"), items}, {QStringLiteral("total"), index}});
}

QJsonObject RolliSandbox::getSearch(const QString& kind, qint64 id, bool postsOnly) const
{
    for (const Search& s : m_searches)
        if (s.id == id && s.kind == kind)
            return postsOnly ? ok(QJsonObject{{QStringLiteral("search_id"), id},
                                              {QStringLiteral("posts"), posts(s, s.posts)}})
                             : ok(searchJson(s, true));
    return error(QStringLiteral("404 Not Found: no %1 search %2").arg(kind).arg(id));
}

void RolliSandbox::advance(Run& r, qint64 nowMs)
{
    if (r.status == u"pending" && nowMs - r.phaseStartMs >= PendingMs) {
        if (m_runCreditsUsed + r.credits > RunCredits) {
            r.status = QStringLiteral("failed");
            r.error = QStringLiteral("insufficient credits: the run needs %1, %2 left")
                          .arg(r.credits)
                          .arg(RunCredits - m_runCreditsUsed);
            return;
        }
        m_runCreditsUsed += r.credits;
        r.status = QStringLiteral("running");
        r.phaseStartMs += PendingMs;
    }
    if (r.status == u"running" && nowMs - r.phaseStartMs >= RunningMs) {
        if (r.willFail) {
            r.status = QStringLiteral("failed");
            r.error = QStringLiteral("upstream platform timed out while collecting posts");
        } else {
            r.status = r.mode == u"monitoring" ? QStringLiteral("waiting") : QStringLiteral("completed");
        }
    }
}

QJsonObject RolliSandbox::runJson(const Run& r) const
{
    QJsonObject o{{QStringLiteral("id"), r.id},
                  {QStringLiteral("question"), r.question},
                  {QStringLiteral("mode"), r.mode},
                  {QStringLiteral("status"), r.status},
                  {QStringLiteral("available_credits"), r.credits},
                  {QStringLiteral("pinned"), r.pinned},
                  {QStringLiteral("created_at"), iso(r.createdMs)}};
    if (!r.label.isEmpty())
        o.insert(QStringLiteral("label"), r.label);
    if (!r.error.isEmpty())
        o.insert(QStringLiteral("error"), r.error);
    if (!r.scheduleId.isEmpty())
        o.insert(QStringLiteral("schedule_id"), r.scheduleId);
    if (r.status == u"completed")
        o.insert(QStringLiteral("answer"),
                 QStringLiteral("Summary for \"%1\": conversation is up 18% this week, led by %2.")
                     .arg(r.question, Words.at(r.question.size() % Words.size())));
    return o;
}

QJsonObject RolliSandbox::startRun(const QJsonObject& args, qint64 nowMs, const QString& scheduleId)
{
    Run r;
    r.id = uuid();
    r.question = args.value(QLatin1String("question")).toString();
    r.mode = args.value(QLatin1String("mode")).toString(QStringLiteral("trend_briefing"));
    r.credits = args.value(QLatin1String("available_credits")).toInt(1);
    r.phaseStartMs = nowMs;
    r.createdMs = nowMs;
    r.willFail = m_random.bounded(100) < 15;
    r.scheduleId = scheduleId;
    m_runs.insert(r.id, r);
    m_runOrder.append(r.id);
    return runJson(r);
}

QJsonObject RolliSandbox::runs(const QString& tool, const QJsonObject& args, qint64 nowMs)
{
    if (tool == u"start_agent_run")
        return ok(startRun(args, nowMs));
    if (tool == u"list_agent_runs") {
        const QString status = args.value(QLatin1String("status")).toString();
        const int limit = args.value(QLatin1String("limit")).toInt(20);
        const int offset = args.value(QLatin1String("offset")).toInt(0);
        QJsonArray items;
        int seen = 0;
        for (auto it = m_runOrder.crbegin(); it != m_runOrder.crend(); ++it) {
            const Run& r = m_runs[*it];
            if (r.deleted || (!status.isEmpty() && r.status != status))
                continue;
            if (seen++ >= offset && items.size() < limit)
                items.append(runJson(r));
        }
        return ok(QJsonObject{{QStringLiteral("items"), items}, {QStringLiteral("total"), seen}});
    }
    const QString id = args.value(QLatin1String("id")).toString();
    const auto it = m_runs.find(id);
    if (it == m_runs.end() || it->deleted)
        return error(QStringLiteral("404 Not Found: no agent run %1").arg(id));
    Run& r = it.value();
    if (tool == u"get_agent_run")
        return ok(runJson(r));
    if (tool == u"update_agent_run") {
        if (args.contains(QLatin1String("pinned")))
            r.pinned = args.value(QLatin1String("pinned")).toBool();
        if (args.contains(QLatin1String("label")))
            r.label = args.value(QLatin1String("label")).toString();
        return ok(runJson(r));
    }
    if (tool == u"cancel_agent_run") {
        if (r.status != u"pending" && r.status != u"running")
            return error(
                QStringLiteral("409 Conflict: run %1 is %2, not pending or running").arg(id, r.status));
        r.status = QStringLiteral("failed");
        r.error = QStringLiteral("cancelled by the user");
        return ok(runJson(r));
    }
    if (tool == u"rerun_agent_run") {
        const bool stuck = r.status == u"pending" && nowMs - r.phaseStartMs > StuckMs;
        if (r.status == u"completed")
            return error(
                QStringLiteral("422 Unprocessable Entity: run %1 is completed; start a new run instead")
                    .arg(id));
        if (r.status == u"pending" && !stuck)
            return error(QStringLiteral("409 Conflict: run %1 is already pending").arg(id));
        // A running run is force-cancelled first; failed, waiting and stuck ones start over.
        r.status = QStringLiteral("pending");
        r.error.clear();
        r.phaseStartMs = nowMs;
        r.willFail = m_random.bounded(100) < 15;
        return ok(runJson(r));
    }
    if (tool == u"delete_agent_run") {
        if (r.status != u"completed" && r.status != u"failed")
            return error(
                QStringLiteral("409 Conflict: only completed or failed runs can be deleted; run %1 is %2")
                    .arg(id, r.status));
        r.deleted = true;
        return ok(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("deleted"), true}});
    }
    return error(QStringLiteral("501 Not Implemented: %1").arg(tool));
}

QDateTime RolliSandbox::nextRun(const QJsonObject& f, qint64 nowMs) const
{
    const QTimeZone zone(
        f.value(QLatin1String("recurrence_timezone")).toString(QStringLiteral("UTC")).toUtf8());
    const QTimeZone tz = zone.isValid() ? zone : QTimeZone::utc();
    const QTime at = QTime::fromString(
        f.value(QLatin1String("recurrence_time")).toString(QStringLiteral("09:00")), QStringLiteral("HH:mm"));
    QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs, tz);
    const QDateTime startsAt =
        QDateTime::fromString(f.value(QLatin1String("starts_at")).toString(), Qt::ISODate);
    if (startsAt.isValid() && startsAt > now)
        now = startsAt.toTimeZone(tz);
    const QString type = f.value(QLatin1String("recurrence_type")).toString(QStringLiteral("daily"));
    QDateTime candidate(now.date(), at.isValid() ? at : QTime(9, 0), tz);
    for (int i = 0; i < 400; ++i) {
        const bool dayFits =
            type == u"weekly" ? candidate.date().dayOfWeek() % 7 ==
                                    f.value(QLatin1String("recurrence_day_of_week")).toInt(1)
            : type == u"monthly"
                ? candidate.date().day() == f.value(QLatin1String("recurrence_day_of_month")).toInt(1)
                : true;
        if (dayFits && candidate > now)
            break;
        candidate = candidate.addDays(1);
    }
    const QDateTime endsAt = QDateTime::fromString(f.value(QLatin1String("ends_at")).toString(), Qt::ISODate);
    if (endsAt.isValid() && candidate > endsAt)
        return {};
    return candidate.toUTC();
}

QJsonObject RolliSandbox::scheduleJson(const Schedule& s, qint64 nowMs) const
{
    QJsonObject o = s.fields;
    o.insert(QStringLiteral("id"), s.id);
    o.insert(QStringLiteral("paused"), s.paused);
    o.insert(QStringLiteral("created_at"), iso(s.createdMs));
    const QDateTime next = s.paused ? QDateTime() : nextRun(s.fields, nowMs);
    o.insert(QStringLiteral("next_run_at"),
             next.isValid() ? QJsonValue(next.toString(Qt::ISODate)) : QJsonValue(QJsonValue::Null));
    return o;
}

QJsonObject RolliSandbox::schedules(const QString& tool, const QJsonObject& args, qint64 nowMs)
{
    if (tool == u"create_agent_schedule") {
        Schedule s;
        s.id = uuid();
        s.fields = args;
        s.fields.remove(QStringLiteral("slack_bot_token")); // secrets are stored, never echoed back
        s.createdMs = nowMs;
        m_schedules.insert(s.id, s);
        m_scheduleOrder.append(s.id);
        return ok(scheduleJson(s, nowMs));
    }
    if (tool == u"list_agent_schedules") {
        const int limit = args.value(QLatin1String("limit")).toInt(20);
        const int offset = args.value(QLatin1String("offset")).toInt(0);
        QJsonArray items;
        for (int i = offset; i < m_scheduleOrder.size() && items.size() < limit; ++i)
            items.append(scheduleJson(m_schedules[m_scheduleOrder.at(i)], nowMs));
        return ok(QJsonObject{{QStringLiteral("items"), items},
                              {QStringLiteral("total"), int(m_scheduleOrder.size())}});
    }
    const QString id = args.value(QLatin1String("id")).toString();
    const auto it = m_schedules.find(id);
    if (it == m_schedules.end())
        return error(QStringLiteral("404 Not Found: no agent schedule %1").arg(id));
    Schedule& s = it.value();
    if (tool == u"get_agent_schedule")
        return ok(scheduleJson(s, nowMs));
    if (tool == u"update_agent_schedule") {
        for (auto f = args.begin(); f != args.end(); ++f)
            if (f.key() != u"id")
                s.fields.insert(f.key(), f.value());
        return ok(scheduleJson(s, nowMs));
    }
    if (tool == u"pause_agent_schedule" || tool == u"resume_agent_schedule") {
        s.paused = tool == u"pause_agent_schedule";
        return ok(scheduleJson(s, nowMs));
    }
    if (tool == u"delete_agent_schedule") {
        m_schedules.erase(it);
        m_scheduleOrder.removeAll(id);
        return ok(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("deleted"), true}});
    }
    if (tool == u"list_agent_schedule_runs") {
        QJsonArray items;
        for (const QString& runId : std::as_const(s.runs))
            items.append(runJson(m_runs[runId]));
        return ok(QJsonObject{{QStringLiteral("schedule_id"), id}, {QStringLiteral("items"), items}});
    }
    return error(QStringLiteral("501 Not Implemented: %1").arg(tool));
}

} // namespace gatehouse
