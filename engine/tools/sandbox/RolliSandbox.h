// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QRandomGenerator>

namespace gatehouse {

// Rolli's agent platform, in memory and deterministic for a seed: the 30 tools of the Rolli MCP server
// with their input schemas, behaving as the real one does where a policy can tell the difference.
//   - arguments are checked against the schemas; a bad one gets an isError result naming the field;
//   - agent runs go pending -> running (1 s) -> completed, waiting (monitoring) or failed (3 s);
//     rerun resets a failed, waiting or stuck run, force-cancels a running one first, and refuses a
//     completed one with "422"; cancel marks failed; delete (soft) only completed or failed runs;
//   - schedules are created, updated (next run recomputed), paused, resumed, deleted and list runs;
//   - searches return plausible synthetic results and spend search credits; runs spend run credits,
//     and a run without enough fails the way the real one does.
class RolliSandbox
{
public:
    explicit RolliSandbox(const QJsonArray& catalogueTools, quint32 seed = 1);

    const QJsonArray& tools() const { return m_tools; } // MCP Tool objects for tools/list
    // A CallToolResult for tools/call, at time nowMs.
    QJsonObject call(const QString& tool, const QJsonObject& arguments, qint64 nowMs);

    static constexpr int SearchCredits = 1000;
    static constexpr int RunCredits = 12;

private:
    struct Search
    {
        qint64 id = 0;
        QString kind; // keyword, user, expert
        QString query;
        QStringList platforms;
        qint64 createdMs = 0;
        int posts = 0;
    };
    struct Run
    {
        QString id;
        QString question;
        QString mode;
        int credits = 1;
        QString status = QStringLiteral("pending");
        qint64 phaseStartMs = 0; // when the current pending/running phase began
        bool willFail = false;
        bool pinned = false;
        bool deleted = false;
        QString label;
        QString error;
        QString scheduleId;
        qint64 createdMs = 0;
    };
    struct Schedule
    {
        QString id;
        QJsonObject fields;
        bool paused = false;
        qint64 createdMs = 0;
        QStringList runs;
    };

    QJsonObject ok(const QJsonValue& payload) const;
    QJsonObject error(const QString& message) const;
    QString uuid();
    void advance(Run& run, qint64 nowMs);
    QJsonObject runJson(const Run& run) const;
    QJsonObject scheduleJson(const Schedule& s, qint64 nowMs) const;
    QJsonObject searchJson(const Search& s, bool withPosts) const;
    QJsonArray posts(const Search& s, int count) const;
    QJsonObject search(const QString& kind, const QJsonObject& args, qint64 nowMs);
    QJsonObject listSearches(const QString& kind, const QJsonObject& args) const;
    QJsonObject getSearch(const QString& kind, qint64 id, bool postsOnly) const;
    QDateTime nextRun(const QJsonObject& fields, qint64 nowMs) const;
    QJsonObject startRun(const QJsonObject& args, qint64 nowMs, const QString& scheduleId = {});
    QJsonObject runs(const QString& tool, const QJsonObject& args, qint64 nowMs);
    QJsonObject schedules(const QString& tool, const QJsonObject& args, qint64 nowMs);

    QJsonArray m_tools;
    QMap<QString, QJsonObject> m_schemas;
    QRandomGenerator m_random;
    QList<Search> m_searches;
    QMap<QString, Run> m_runs; // by id
    QStringList m_runOrder;
    QMap<QString, Schedule> m_schedules;
    QStringList m_scheduleOrder;
    qint64 m_nextSearchId = 101;
    int m_searchCreditsUsed = 0;
    int m_runCreditsUsed = 0;
    QString m_integrationReturnUrl;
};

} // namespace gatehouse
