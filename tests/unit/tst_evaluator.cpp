// SPDX-License-Identifier: GPL-3.0-or-later
#include "counters/InMemoryCounterStore.h"
#include "decision/Evaluator.h"
#include "policy/PolicyParser.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QtTest>

using namespace gatehouse;

Q_DECLARE_METATYPE(gatehouse::Verdict)

namespace {

const qint64 Noon =
    QDateTime::fromString(QStringLiteral("2026-03-01T12:00:00Z"), Qt::ISODate).toMSecsSinceEpoch();

Policy load(const QByteArray& json)
{
    const PolicyLoad l = PolicyParser::parse(json);
    if (!l.policy)
        qFatal("test policy invalid: %s", qPrintable(l.errors.first().toString()));
    return *l.policy;
}

Policy loadFile(const QString& path)
{
    const PolicyLoad l = PolicyParser::parseFile(path);
    if (!l.policy)
        qFatal("test policy invalid: %s", qPrintable(path));
    return *l.policy;
}

ToolCall call(const QString& tool, const QByteArray& args = "{}",
              const QString& grant = QStringLiteral("alice"), const QString& session = QStringLiteral("s1"))
{
    return {tool, QJsonDocument::fromJson(args).object(), grant, session};
}

// Decides and, for an allowed call, commits: the call ran.
Decision run(const Evaluator& e, const Policy& p, const ToolCall& c, qint64 now = Noon)
{
    Decision d = e.decide(p, c, now);
    d.reservation.commit();
    return d;
}

// One policy that exercises every step of the order of evaluation.
const QByteArray OrderPolicy = R"({
  "version": "1",
  "default": "deny",
  "hide": ["secret_tool"],
  "tools": {
    "secret_tool": {},
    "blocked": {"action": "deny", "on_deny": "Blocked for everyone.",
                "require": [{"conditions": [{"path": "args.x", "op": "exists"}]}]},
    "blocked_plain": {"action": "deny"},
    "guarded": {
      "require": [{"conditions": [{"path": "args.amount", "op": "lte", "value": 100}], "on_deny": "Too much."},
                  {"conditions": [{"path": "args.currency", "op": "in", "value": ["eur", "usd"]}]}],
      "deny_if": [{"conditions": [{"path": "args.note", "op": "contains", "value": "drop"}], "on_deny": "No dropping."},
                  {"conditions": [{"path": "args.currency", "op": "eq", "value": "usd"},
                                  {"path": "args.amount", "op": "gt", "value": 50}]}],
      "approve_if": [{"conditions": [{"path": "args.amount", "op": "gte", "value": 90}], "name": "big"}],
      "limits": [{"counter": "guarded_rate", "window": "minute", "max": 100, "scope": "grant"}]
    },
    "asks": {"action": "approve", "limits": [{"counter": "asks_rate", "window": "minute", "max": 1}]},
    "open": {}
  }
})";

} // namespace

class TestEvaluator : public QObject
{
    Q_OBJECT
private slots:
    void orderOfEvaluation_data();
    void orderOfEvaluation();
    void limitCheckedBeforeAsking();
    void policyLayerRateLimitIsPerSession();
    void approvalTakesQuotaAfterThePerson();
    void noPolicyFailsClosed();
    void defaultAllowAndApprove();
    void policyLayerRerunExample();
    void policyLayerHiddenExample();
    void policyLayerFinancialExample();
    void policyLayerMinimalExample();
    void catalogueTemplates();
    void scopes_data();
    void scopes();
    void sharedCounterAcrossTools();
    void allToolsLimits();
    void incrementFrom();
    void incrementFromMissingFailsClosed();
    void rollbackOnUpstreamFailure();
    void limitMessageAndRetryAfter();
    void countersSurvivePolicyReload();
};

void TestEvaluator::orderOfEvaluation_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<Verdict>("verdict");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("message");

    QTest::newRow("hidden beats listed") << "secret_tool" << QByteArray("{}") << Verdict::Hidden << "(hidden)"
                                         << "Unknown tool: secret_tool";
    QTest::newRow("unlisted under default deny")
        << "nope" << QByteArray("{}") << Verdict::Denied << "(default deny)"
        << "nope is not among the tools this policy allows";
    QTest::newRow("action deny beats require")
        << "blocked" << QByteArray("{}") << Verdict::Denied << "/tools/blocked/action"
        << "Blocked for everyone.";
    QTest::newRow("action deny default message")
        << "blocked_plain" << QByteArray("{}") << Verdict::Denied << "/tools/blocked_plain/action"
        << "blocked_plain is not allowed";
    QTest::newRow("first require fails") << "guarded" << QByteArray(R"({"amount":500,"currency":"eur"})")
                                         << Verdict::Denied << "/tools/guarded/require/0"
                                         << "Too much.";
    QTest::newRow("second require fails, default message")
        << "guarded" << QByteArray(R"({"amount":5,"currency":"gbp"})") << Verdict::Denied
        << "/tools/guarded/require/1"
        << "guarded requires args.currency in [\"eur\",\"usd\"]";
    QTest::newRow("require beats deny_if") << "guarded" << QByteArray(R"({"amount":500,"note":"drop"})")
                                           << Verdict::Denied << "/tools/guarded/require/0"
                                           << "Too much.";
    QTest::newRow("deny_if first rule")
        << "guarded" << QByteArray(R"({"amount":5,"currency":"eur","note":"drop it"})") << Verdict::Denied
        << "/tools/guarded/deny_if/0"
        << "No dropping.";
    QTest::newRow("deny_if all conditions")
        << "guarded" << QByteArray(R"({"amount":60,"currency":"usd"})") << Verdict::Denied
        << "/tools/guarded/deny_if/1"
        << "guarded is refused when args.currency eq \"usd\" and args.amount gt 50";
    QTest::newRow("deny_if needs all conditions")
        << "guarded" << QByteArray(R"({"amount":40,"currency":"usd"})") << Verdict::Allowed << ""
        << "";
    QTest::newRow("approve_if") << "guarded" << QByteArray(R"({"amount":95,"currency":"eur"})")
                                << Verdict::NeedsApproval << "/tools/guarded/approve_if/0"
                                << "guarded needs approval (rule big)";
    QTest::newRow("action approve") << "asks" << QByteArray("{}") << Verdict::NeedsApproval
                                    << "/tools/asks/action"
                                    << "asks needs approval";
    QTest::newRow("listed as {} allows")
        << "open" << QByteArray(R"({"anything":1})") << Verdict::Allowed << ""
        << "";
}

void TestEvaluator::orderOfEvaluation()
{
    QFETCH(QString, tool);
    QFETCH(QByteArray, args);
    QFETCH(Verdict, verdict);
    QFETCH(QString, rule);
    QFETCH(QString, message);
    const Policy p = load(OrderPolicy);
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    const Decision d = e.decide(p, call(tool, args), Noon);
    QCOMPARE(verdictName(d.verdict), verdictName(verdict));
    QCOMPARE(d.rule, rule);
    QCOMPARE(d.message, message);
    QCOMPARE(d.reservation.isEmpty(), !(verdict == Verdict::Allowed && tool == u"guarded"));
}

void TestEvaluator::limitCheckedBeforeAsking()
{
    const Policy p = load(OrderPolicy);
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    // Fill asks_rate (max 1) through an approved call.
    QCOMPARE(e.decide(p, call(QStringLiteral("asks")), Noon).verdict, Verdict::NeedsApproval);
    Decision approved = e.reserveApproved(p, call(QStringLiteral("asks")), Noon);
    QCOMPARE(approved.verdict, Verdict::Allowed);
    approved.reservation.commit();
    // Nobody is asked about a call the limit would refuse anyway.
    const Decision d = e.decide(p, call(QStringLiteral("asks")), Noon + 1000);
    QCOMPARE(d.verdict, Verdict::Limited);
    QCOMPARE(d.rule, QStringLiteral("/tools/asks/limits/0"));
}

void TestEvaluator::approvalTakesQuotaAfterThePerson()
{
    const Policy p = load(OrderPolicy);
    auto store = std::make_shared<InMemoryCounterStore>();
    const Evaluator e(store);
    const CounterKey key{QStringLiteral("asks_rate"), QStringLiteral("global"), 60};
    // Asking takes nothing: two calls can wait for a person at once.
    QCOMPARE(e.decide(p, call(QStringLiteral("asks")), Noon).verdict, Verdict::NeedsApproval);
    QCOMPARE(e.decide(p, call(QStringLiteral("asks")), Noon).verdict, Verdict::NeedsApproval);
    QCOMPARE(store->used(key, Noon), 0.0);
    // Both are approved; the limit is checked again when the quota is taken, so only one goes.
    Decision first = e.reserveApproved(p, call(QStringLiteral("asks")), Noon);
    const Decision second = e.reserveApproved(p, call(QStringLiteral("asks")), Noon);
    QCOMPARE(first.verdict, Verdict::Allowed);
    QCOMPARE(second.verdict, Verdict::Limited);
    QCOMPARE(store->used(key, Noon), 1.0);
    first.reservation.rollback(); // upstream failed: the quota comes back
    QCOMPARE(store->used(key, Noon), 0.0);
}

void TestEvaluator::noPolicyFailsClosed()
{
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    const Decision d = e.decide(nullptr, call(QStringLiteral("anything")), Noon);
    QCOMPARE(d.verdict, Verdict::Denied);
    QCOMPARE(d.rule, QStringLiteral("(no policy)"));
}

void TestEvaluator::defaultAllowAndApprove()
{
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    const Policy allow = load(R"({"version":"1","default":"allow"})");
    const Decision a = e.decide(allow, call(QStringLiteral("whatever")), Noon);
    QCOMPARE(a.verdict, Verdict::Allowed);
    QVERIFY(a.rule.isEmpty());
    const Policy approve = load(R"({"version":"1","default":"approve","tools":{"listed":{}}})");
    const Decision b = e.decide(approve, call(QStringLiteral("whatever")), Noon);
    QCOMPARE(b.verdict, Verdict::NeedsApproval);
    QCOMPARE(b.rule, QStringLiteral("/default"));
    // Listing a tool allows it, even under default "approve".
    QCOMPARE(e.decide(approve, call(QStringLiteral("listed")), Noon).verdict, Verdict::Allowed);
}

void TestEvaluator::policyLayerRateLimitIsPerSession()
{
    const Policy p =
        load(R"({"version":"1","default":"deny","tools":{"search":{"rate_limit":{"max":2,"window":60}}}})");
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    QCOMPARE(run(e, p, call(QStringLiteral("search")), Noon).verdict, Verdict::Allowed);
    QCOMPARE(run(e, p, call(QStringLiteral("search")), Noon + 1000).verdict, Verdict::Allowed);
    const Decision third = run(e, p, call(QStringLiteral("search")), Noon + 2000);
    QCOMPARE(third.verdict, Verdict::Limited);
    QCOMPARE(third.rule, QStringLiteral("/tools/search/rate_limit"));
    // Another session of the same grant has a budget of its own.
    QCOMPARE(run(e, p, call(QStringLiteral("search"), "{}", QStringLiteral("alice"), QStringLiteral("s2")),
                 Noon + 2000)
                 .verdict,
             Verdict::Allowed);
}

void TestEvaluator::policyLayerRerunExample()
{
    const Policy p = loadFile(QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/rolli-rerun-agent-run.json"));
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    for (int i = 0; i < 10; ++i)
        QCOMPARE(run(e, p, call(QStringLiteral("rerun_agent_run"), R"({"id":7})"), Noon + i * 1000).verdict,
                 Verdict::Allowed);
    const Decision eleventh =
        run(e, p, call(QStringLiteral("rerun_agent_run"), R"({"id":7})"), Noon + 10'000);
    QCOMPARE(eleventh.verdict, Verdict::Limited);
    QCOMPARE(eleventh.rule, QStringLiteral("/tools/rerun_agent_run/limits/0"));
    QCOMPARE(eleventh.retryAfterSeconds, 50);
    // Another grant has its own budget; the next minute starts afresh; other tools are default-denied.
    QCOMPARE(run(e, p, call(QStringLiteral("rerun_agent_run"), "{}", QStringLiteral("bob")), Noon).verdict,
             Verdict::Allowed);
    QCOMPARE(run(e, p, call(QStringLiteral("rerun_agent_run")), Noon + 60'000).verdict, Verdict::Allowed);
    QCOMPARE(run(e, p, call(QStringLiteral("get_agent_run")), Noon).rule, QStringLiteral("(default deny)"));
}

void TestEvaluator::policyLayerHiddenExample()
{
    const Policy p =
        loadFile(QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/rolli-delete-agent-schedule-hidden.json"));
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    QCOMPARE(e.decide(p, call(QStringLiteral("delete_agent_schedule")), Noon).verdict, Verdict::Hidden);
    QCOMPARE(e.decide(p, call(QStringLiteral("list_agent_schedules")), Noon).verdict, Verdict::Denied);
}

void TestEvaluator::policyLayerFinancialExample()
{
    const Policy p =
        loadFile(QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/financial-requires-approval.json"));
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    const Decision d = e.decide(p, call(QStringLiteral("create_refund"), R"({"amount":1})"), Noon);
    QCOMPARE(d.verdict, Verdict::Denied);
    QCOMPARE(d.rule, QStringLiteral("/tools/create_refund/deny_if/0"));
    QCOMPARE(d.message, QStringLiteral("Requires human approval."));
}

void TestEvaluator::policyLayerMinimalExample()
{
    const Policy p = loadFile(QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/minimal-default-deny.json"));
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    QCOMPARE(e.decide(p, call(QStringLiteral("list_customers")), Noon).verdict, Verdict::Allowed);
    QCOMPARE(e.decide(p, call(QStringLiteral("delete_customer")), Noon).verdict, Verdict::Denied);
    const Policy shape = loadFile(QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/shape-all-fields.json"));
    QCOMPARE(e.decide(shape, call(QStringLiteral("create_charge")), Noon).verdict, Verdict::Allowed);
    QCOMPARE(e.decide(shape, call(QStringLiteral("delete_account")), Noon).verdict, Verdict::Hidden);
}

void TestEvaluator::catalogueTemplates()
{
    // The recommended Rolli policy built from the catalogue's risk classes.
    const Policy p = loadFile(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json"));
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    QCOMPARE(e.decide(p, call(QStringLiteral("delete_agent_schedule")), Noon).verdict, Verdict::Hidden);
    QCOMPARE(e.decide(p, call(QStringLiteral("delete_agent_run")), Noon).verdict, Verdict::Hidden);
    for (int i = 0; i < 30; ++i)
        QCOMPARE(run(e, p, call(QStringLiteral("update_agent_run")), Noon).verdict, Verdict::Allowed);
    QCOMPARE(run(e, p, call(QStringLiteral("update_agent_run")), Noon).verdict, Verdict::Limited);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(run(e, p, call(QStringLiteral("start_agent_run")), Noon).verdict, Verdict::Allowed);
    QCOMPARE(run(e, p, call(QStringLiteral("start_agent_run")), Noon).verdict, Verdict::Limited);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(run(e, p, call(QStringLiteral("list_agent_runs")), Noon).verdict, Verdict::Allowed);
}

void TestEvaluator::scopes_data()
{
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QString>("otherGrant");
    QTest::addColumn<QString>("otherSession");
    QTest::addColumn<bool>("otherHasOwnBudget");
    QTest::newRow("grant: other grant") << "grant"
                                        << "bob"
                                        << "s1" << true;
    QTest::newRow("grant: other session, same grant") << "grant"
                                                      << "alice"
                                                      << "s2" << false;
    QTest::newRow("session: other session") << "session"
                                            << "alice"
                                            << "s2" << true;
    QTest::newRow("session: other grant, same session") << "session"
                                                        << "bob"
                                                        << "s1" << false;
    QTest::newRow("global: other grant and session") << "global"
                                                     << "bob"
                                                     << "s2" << false;
}

void TestEvaluator::scopes()
{
    QFETCH(QString, scope);
    QFETCH(QString, otherGrant);
    QFETCH(QString, otherSession);
    QFETCH(bool, otherHasOwnBudget);
    const Policy p = load(QStringLiteral(R"({"version":"1","default":"deny","tools":{"t":{"limits":[
        {"counter":"c","window":"hour","max":2,"scope":"%1"}]}}})")
                              .arg(scope)
                              .toUtf8());
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    const ToolCall first = call(QStringLiteral("t"), "{}", QStringLiteral("alice"), QStringLiteral("s1"));
    QVERIFY(run(e, p, first).isAllowed());
    QVERIFY(run(e, p, first).isAllowed());
    QCOMPARE(run(e, p, first).verdict, Verdict::Limited);
    const ToolCall other = call(QStringLiteral("t"), "{}", otherGrant, otherSession);
    QCOMPARE(run(e, p, other).isAllowed(), otherHasOwnBudget);
}

void TestEvaluator::sharedCounterAcrossTools()
{
    const Policy p = load(R"({"version":"1","default":"deny","tools":{
        "start_agent_run":{"limits":[{"counter":"runs","window":"minute","max":3,"scope":"grant"}]},
        "rerun_agent_run":{"limits":[{"counter":"runs","window":"minute","max":3,"scope":"grant"}]}}})");
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    QVERIFY(run(e, p, call(QStringLiteral("start_agent_run"))).isAllowed());
    QVERIFY(run(e, p, call(QStringLiteral("rerun_agent_run"))).isAllowed());
    QVERIFY(run(e, p, call(QStringLiteral("start_agent_run"))).isAllowed());
    const Decision d = run(e, p, call(QStringLiteral("rerun_agent_run")));
    QCOMPARE(d.verdict, Verdict::Limited);
    QCOMPARE(d.rule, QStringLiteral("/tools/rerun_agent_run/limits/0"));
}

void TestEvaluator::allToolsLimits()
{
    const Policy p = load(R"({"version":"1","default":"allow",
        "all_tools":{"limits":[{"counter":"everything","window":"second","max":3,"scope":"session"}]},
        "tools":{"t":{"limits":[{"counter":"t_rate","window":"minute","max":10}]}}})");
    auto store = std::make_shared<InMemoryCounterStore>();
    const Evaluator e(store);
    QVERIFY(run(e, p, call(QStringLiteral("a"))).isAllowed());
    QVERIFY(run(e, p, call(QStringLiteral("t"))).isAllowed());
    QVERIFY(run(e, p, call(QStringLiteral("b"))).isAllowed());
    const Decision d = run(e, p, call(QStringLiteral("t")));
    QCOMPARE(d.verdict, Verdict::Limited);
    QCOMPARE(d.rule, QStringLiteral("/all_tools/limits/0"));
    // The refused call took nothing from t's own counter.
    QCOMPARE(store->used({QStringLiteral("t_rate"), QStringLiteral("global"), 60}, Noon), 1.0);
    // Another session is another budget; the next second too.
    QVERIFY(run(e, p, call(QStringLiteral("a"), "{}", QStringLiteral("alice"), QStringLiteral("s2")))
                .isAllowed());
    QVERIFY(run(e, p, call(QStringLiteral("a")), Noon + 1000).isAllowed());
}

void TestEvaluator::incrementFrom()
{
    const Policy p = load(R"({"version":"1","default":"deny","tools":{"create_charge":{"limits":[
        {"counter":"spend","window":"day","max":100,"scope":"grant","increment_from":"args.amount"}]}}})");
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    QVERIFY(run(e, p, call(QStringLiteral("create_charge"), R"({"amount":60})")).isAllowed());
    QVERIFY(run(e, p, call(QStringLiteral("create_charge"), R"({"amount":39.5})")).isAllowed());
    const Decision d = run(e, p, call(QStringLiteral("create_charge"), R"({"amount":1})"));
    QCOMPARE(d.verdict, Verdict::Limited);
    QCOMPARE(d.retryAfterSeconds, 12 * 3600);
    QVERIFY(run(e, p, call(QStringLiteral("create_charge"), R"({"amount":0.5})")).isAllowed());
}

void TestEvaluator::incrementFromMissingFailsClosed()
{
    const Policy p = load(R"({"version":"1","default":"deny","tools":{"create_charge":{"limits":[
        {"counter":"spend","window":"day","max":100,"increment_from":"args.amount"}]}}})");
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    for (const char* args : {"{}", R"({"amount":"50"})", R"({"amount":-5})", R"({"amount":[1]})"}) {
        const Decision d = run(e, p, call(QStringLiteral("create_charge"), args));
        QCOMPARE(d.verdict, Verdict::Denied);
        QCOMPARE(d.rule, QStringLiteral("/tools/create_charge/limits/0"));
        QVERIFY(d.message.contains(u"args.amount"));
    }
}

void TestEvaluator::rollbackOnUpstreamFailure()
{
    const Policy p = load(R"({"version":"1","default":"deny","tools":{"t":{"limits":[
        {"counter":"c","window":"minute","max":1}]}}})");
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    Decision first = e.decide(p, call(QStringLiteral("t")), Noon);
    QVERIFY(first.isAllowed());
    QCOMPARE(e.decide(p, call(QStringLiteral("t")), Noon).verdict, Verdict::Limited); // held while in flight
    first.reservation.rollback();
    QVERIFY(run(e, p, call(QStringLiteral("t"))).isAllowed());
}

void TestEvaluator::limitMessageAndRetryAfter()
{
    const Policy p = load(R"({"version":"1","default":"deny","tools":{"rerun_agent_run":{"limits":[
        {"counter":"rerun_agent_run_rate","window":"minute","max":1,"scope":"grant"}]},
        "t":{"limits":[{"counter":"burst","window":30,"max":1}]}}})");
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    QVERIFY(run(e, p, call(QStringLiteral("rerun_agent_run"))).isAllowed());
    const Decision d = run(e, p, call(QStringLiteral("rerun_agent_run")), Noon + 23'400);
    QCOMPARE(d.message, QStringLiteral("Rate limit reached for rerun_agent_run: 1 per minute "
                                       "(counter rerun_agent_run_rate). Retry in 37 s."));
    QCOMPARE(d.retryAfterSeconds, 37);
    QVERIFY(run(e, p, call(QStringLiteral("t"))).isAllowed());
    QCOMPARE(run(e, p, call(QStringLiteral("t")), Noon + 1000).message,
             QStringLiteral("Rate limit reached for t: 1 per 30 seconds (counter burst). Retry in 29 s."));
}

void TestEvaluator::countersSurvivePolicyReload()
{
    const Evaluator e(std::make_shared<InMemoryCounterStore>());
    const Policy before = load(R"({"version":"1","default":"deny","tools":{"t":{"limits":[
        {"counter":"c","window":"minute","max":2}]}}})");
    QVERIFY(run(e, before, call(QStringLiteral("t"))).isAllowed());
    QVERIFY(run(e, before, call(QStringLiteral("t"))).isAllowed());
    // An edited policy with a higher max sees the same counter: two used, one more allowed.
    const Policy after = load(R"({"version":"1","default":"deny","tools":{"t":{"limits":[
        {"counter":"c","window":"minute","max":3}]}}})");
    QVERIFY(run(e, after, call(QStringLiteral("t"))).isAllowed());
    QCOMPARE(run(e, after, call(QStringLiteral("t"))).verdict, Verdict::Limited);
}

QTEST_APPLESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
