// SPDX-License-Identifier: GPL-3.0-or-later
// What-if replay against a real audit log written by AuditLog: unchanged policies change nothing,
// limits replay window by window, refusals and approvals compare at the policy's level, calls whose
// arguments were not kept are counted apart, and calls the policy never decided are left out.
#include "audit/AuditLog.h"
#include "policy/PolicyParser.h"
#include "whatif/WhatIfReplay.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace gatehouse;

namespace {
const QDateTime Start = QDateTime::fromString(QStringLiteral("2026-11-20T10:00:00.000Z"), Qt::ISODateWithMs);

Policy policy(const QByteArray& json)
{
    const PolicyLoad l = PolicyParser::parse(json);
    if (!l.policy)
        qFatal("test policy invalid: %s", qPrintable(l.errors.first().toString()));
    return *l.policy;
}

CallRecord call(qint64 offsetMs, const QString& tool, Verdict verdict, const QString& rule = {},
                const QString& server = QStringLiteral("with-args"), const QJsonObject& args = {})
{
    CallRecord r;
    r.time = Start.addMSecs(offsetMs);
    r.server = server;
    r.session = QStringLiteral("s1");
    r.tool = tool;
    r.arguments = args;
    r.verdict = verdict;
    r.rule = rule;
    r.outcome = verdict == Verdict::Allowed ? CallRecord::Outcome::Answered : CallRecord::Outcome::Refused;
    return r;
}
} // namespace

class TestWhatIfReplay : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_db = m_dir.filePath(QStringLiteral("audit.sqlite"));
        AuditLog::Options options;
        options.fullArgumentServers = {QStringLiteral("with-args")};
        AuditLog log(m_db, options);
        QString error;
        QVERIFY2(log.open(&error), qPrintable(error));
        QList<CallRecord> calls;
        // 10 reruns in the first minute, 10 in the second, all allowed then.
        for (int i = 0; i < 20; ++i)
            calls << call(i * 6000, QStringLiteral("rerun_agent_run"), Verdict::Allowed);
        // 4 deletes, allowed then.
        for (int i = 0; i < 4; ++i)
            calls << call(130'000 + i, QStringLiteral("delete_agent_run"), Verdict::Allowed);
        // Searches with their arguments kept: two for "acme", one for "other".
        for (const char* q : {"acme", "acme", "other"})
            calls << call(140'000, QStringLiteral("keyword_search"), Verdict::Allowed, {},
                          QStringLiteral("with-args"), {{QStringLiteral("query"), QString::fromLatin1(q)}});
        // The same tool on a server whose arguments were not kept.
        calls << call(141'000, QStringLiteral("keyword_search"), Verdict::Allowed, {},
                      QStringLiteral("no-args"), {{QStringLiteral("query"), QStringLiteral("acme")}});
        // A person approved one start, and rejected another.
        CallRecord approved = call(150'000, QStringLiteral("start_agent_run"), Verdict::Allowed,
                                   QStringLiteral("/tools/start_agent_run/action"));
        approved.approver = QStringLiteral("alice");
        CallRecord rejected = call(151'000, QStringLiteral("start_agent_run"), Verdict::Denied,
                                   QStringLiteral("(rejected by alice)"));
        calls << approved << rejected;
        // Refused for a full disk: not the policy's decision.
        calls << call(160'000, QStringLiteral("get_usage"), Verdict::Denied,
                      QStringLiteral("(audit log unavailable)"));
        std::atomic<int> durable{0};
        for (const CallRecord& c : std::as_const(calls))
            log.append(c, [&](bool ok) { durable += ok ? 1 : 0; });
        log.flush();
        QTRY_COMPARE(durable.load(), int(calls.size()));
    }

    void thePolicyOfTheDayChangesNothing()
    {
        const Policy then = policy(R"({"version":"1","default":"allow",
            "tools":{"start_agent_run":{"action":"approve"}}})");
        QString error;
        const auto r = WhatIfReplay::run(then, m_db, {}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->replayed, qint64(30));
        QCOMPARE(r->changed, qint64(0));
        QCOMPARE(r->skipped, qint64(1)); // the audit-unavailable refusal
        QCOMPARE(r->unjudged, qint64(0));
        QVERIFY(r->unchanged());
        QCOMPARE(r->first, Start);
        QCOMPARE(r->last, Start.addMSecs(151'000));
    }

    void limitsReplayWindowByWindow()
    {
        const Policy draft = policy(R"({"version":"1","default":"allow",
            "tools":{"start_agent_run":{"action":"approve"},
                     "rerun_agent_run":{"limits":[{"counter":"reruns","window":"minute","max":3}]}}})");
        QString error;
        const auto r = WhatIfReplay::run(draft, m_db, {}, &error);
        QVERIFY2(r, qPrintable(error));
        // 10 a minute, 3 allowed in each: 7 + 7 would be limited.
        QCOMPARE(r->changed, qint64(14));
        QCOMPARE(r->changes.size(), 1);
        const WhatIfReplay::Change& c = r->changes.first();
        QCOMPARE(c.tool, QStringLiteral("rerun_agent_run"));
        QCOMPARE(c.before, QStringLiteral("allowed"));
        QCOMPARE(c.after, QStringLiteral("limited"));
        QCOMPARE(c.ruleAfter, QStringLiteral("/tools/rerun_agent_run/limits/0"));
        QCOMPARE(c.count, qint64(14));
        QCOMPARE(c.examples.size(), 5);
        QCOMPARE(c.examples.first(), qint64(4)); // the fourth call of the first minute
    }

    void refusalsHidesAndApprovalsCompareAtThePolicyLevel()
    {
        const Policy draft = policy(R"({"version":"1","default":"allow","hide":["delete_agent_run"]})");
        QString error;
        const auto r = WhatIfReplay::run(draft, m_db, {}, &error);
        QVERIFY2(r, qPrintable(error));
        // Deletes would be hidden; both starts would no longer need a person.
        QCOMPARE(r->changed, qint64(6));
        QCOMPARE(r->changes.size(), 3);
        QCOMPARE(r->changes[0].tool, QStringLiteral("delete_agent_run"));
        QCOMPARE(r->changes[0].after, QStringLiteral("hidden"));
        QCOMPARE(r->changes[0].count, qint64(4));
        for (int i : {1, 2}) {
            QCOMPARE(r->changes[i].tool, QStringLiteral("start_agent_run"));
            QCOMPARE(r->changes[i].before, QStringLiteral("needs-approval"));
            QCOMPARE(r->changes[i].after, QStringLiteral("allowed"));
        }
    }

    void argumentRulesNeedKeptArguments()
    {
        const Policy draft = policy(R"({"version":"1","default":"allow",
            "tools":{"start_agent_run":{"action":"approve"},
                     "keyword_search":{"deny_if":[{"conditions":[{"path":"args.query","op":"eq","value":"acme"}]}]}}})");
        QString error;
        const auto r = WhatIfReplay::run(draft, m_db, {}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->changed, qint64(2)); // the two kept "acme" searches
        QCOMPARE(r->changes.first().after, QStringLiteral("denied"));
        QCOMPARE(r->changes.first().ruleAfter, QStringLiteral("/tools/keyword_search/deny_if/0"));
        QCOMPARE(r->unjudged, qint64(1)); // the search whose arguments were not kept
        QCOMPARE(r->replayed, qint64(29));
    }

    void sinceAndServerNarrowTheReplay()
    {
        const Policy draft = policy(R"({"version":"1","default":"deny"})");
        WhatIfReplay::Options options;
        options.since = Start.addSecs(135);
        options.server = QStringLiteral("with-args");
        QString error;
        const auto r = WhatIfReplay::run(draft, m_db, options, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->replayed, qint64(5)); // 3 searches and 2 starts
        QCOMPARE(r->changed, qint64(5));
    }

    void aMissingDatabaseIsAnError()
    {
        QString error;
        const auto r = WhatIfReplay::run(policy(R"({"version":"1","default":"allow"})"),
                                         m_dir.filePath(QStringLiteral("nope/none.sqlite")), {}, &error);
        QVERIFY(!r);
        QVERIFY(error.contains(QStringLiteral("cannot")));
    }

private:
    QTemporaryDir m_dir;
    QString m_db;
};

QTEST_GUILESS_MAIN(TestWhatIfReplay)
#include "tst_whatifreplay.moc"
