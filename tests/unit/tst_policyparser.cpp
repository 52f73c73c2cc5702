// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"

#include <QDir>
#include <QtTest>

using namespace gatehouse;

class TestPolicyParser : public QObject
{
    Q_OBJECT
private slots:
    void policyLayerExamplesLoad_data();
    void policyLayerExamplesLoad();
    void readsEveryField();
    void defaultsWhenAbsent();
    void approvalSettings();
    void policyLayerSpellings();
    void invalid_data();
    void invalid();
    void everyErrorAtOnce();
    void syntaxErrorHasLineAndColumn();
    void typoHints_data();
    void typoHints();
    void unreadableFile();
};

void TestPolicyParser::policyLayerExamplesLoad_data()
{
    QTest::addColumn<QString>("file");
    const QDir dir(QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer"));
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files);
    QVERIFY(files.size() >= 5);
    for (const QString& f : files)
        QTest::newRow(qPrintable(f)) << dir.filePath(f);
    QTest::newRow("rolli-recommended")
        << QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json");
}

void TestPolicyParser::policyLayerExamplesLoad()
{
    QFETCH(QString, file);
    const PolicyLoad load = PolicyParser::parseFile(file);
    QVERIFY2(load.errors.isEmpty(), load.errors.isEmpty() ? "" : qPrintable(load.errors.first().toString()));
    QVERIFY(load.policy);
}

void TestPolicyParser::readsEveryField()
{
    const PolicyLoad load = PolicyParser::parse(R"({
      "version": "1",
      "description": "all of it",
      "default": "approve",
      "hide": ["delete_agent_run", "*"],
      "all_tools": {"limits": [{"counter": "everything", "window": 30, "max": 100, "scope": "session"}]},
      "approval": {"timeout_seconds": 20, "on_timeout": "allow"},
      "tools": {
        "create_charge": {
          "action": "approve",
          "on_deny": "no",
          "require": [{"conditions": [{"path": "args.currency", "op": "in", "value": ["eur", "usd"]}],
                       "on_deny": "only eur or usd", "name": "currency"}],
          "deny_if": [{"conditions": []}],
          "approve_if": [{"conditions": [{"path": "args.amount", "op": "gt", "value": 100}]}],
          "limits": [{"counter": "spend", "window": "day", "max": 5000, "scope": "grant",
                      "increment_from": "args.amount", "name": "daily spend"}]
        }
      }
    })");
    QVERIFY2(load.policy, load.errors.isEmpty() ? "" : qPrintable(load.errors.first().toString()));
    const Policy& p = *load.policy;
    QCOMPARE(*p.description, QStringLiteral("all of it"));
    QCOMPARE(p.defaultAction, PolicyDefault::Approve);
    QCOMPARE(p.hide->size(), 2);
    QVERIFY(p.isHidden(QStringLiteral("anything"))); // "*" hides all
    const Limit& all = p.allTools->limits->first();
    QCOMPARE(all.window.unit, LimitWindow::Unit::Seconds);
    QCOMPARE(all.window.seconds, 30);
    QCOMPARE(all.effectiveScope(), LimitScope::Session);
    QCOMPARE(p.approvalTimeoutSeconds(), 20);
    QCOMPARE(p.approvalTimeoutOutcome(), TimeoutOutcome::Allow);
    const ToolPolicy* t = p.tool(QStringLiteral("create_charge"));
    QVERIFY(t);
    QCOMPARE(t->effectiveAction(), ToolAction::Approve);
    QCOMPARE(*t->onDeny, QStringLiteral("no"));
    QCOMPARE(*t->require->first().name, QStringLiteral("currency"));
    QCOMPARE(t->require->first().conditions->first().op, ConditionOp::In);
    QVERIFY(t->denyIf->first().conditions->isEmpty());
    QCOMPARE(t->approveIf->first().conditions->first().value.toInt(), 100);
    const Limit& spend = t->limits->first();
    QCOMPARE(spend.window.seconds, 86400);
    QCOMPARE(spend.max, 5000);
    QCOMPARE(spend.incrementFrom->text(), QStringLiteral("args.amount"));
    QCOMPARE(*spend.name, QStringLiteral("daily spend"));
}

void TestPolicyParser::defaultsWhenAbsent()
{
    const PolicyLoad load = PolicyParser::parse(R"({"version":"1","default":"allow","tools":{"t":{
        "limits":[{"counter":"c","window":"minute","max":3}]}}})");
    QVERIFY(load.policy);
    QCOMPARE(load.policy->approvalTimeoutSeconds(), 900);
    QCOMPARE(load.policy->approvalHoldSeconds(), 25);
    QCOMPARE(load.policy->approvalValidSeconds(), 600);
    QVERIFY(!load.policy->approvalWithdrawsOnCancel());
    QCOMPARE(load.policy->approvalTimeoutOutcome(), TimeoutOutcome::Deny);
    const ToolPolicy* t = load.policy->tool(QStringLiteral("t"));
    QCOMPARE(t->effectiveAction(), ToolAction::Allow);
    QVERIFY(!t->require);
    QCOMPARE(t->limits->first().effectiveScope(), LimitScope::Global);
    QVERIFY(!load.policy->isHidden(QStringLiteral("t")));
}

void TestPolicyParser::approvalSettings()
{
    const PolicyLoad load = PolicyParser::parse(R"({"version":"1","default":"approve","approval":{
        "timeout_seconds": 604800, "hold_seconds": 0, "valid_seconds": 30, "on_cancel": "withdraw",
        "client_links": false, "webhook": {"url": "https://hooks.example/approvals", "secret_env": "HOOK_SECRET"}}})");
    QVERIFY2(load.policy, load.errors.isEmpty() ? "" : qPrintable(load.errors.first().toString()));
    QCOMPARE(load.policy->approvalTimeoutSeconds(), 604800); // days, now that approvals outlive requests
    QCOMPARE(load.policy->approvalHoldSeconds(), 0);
    QCOMPARE(load.policy->approvalValidSeconds(), 30);
    QVERIFY(load.policy->approvalWithdrawsOnCancel());
    QVERIFY(!load.policy->approvalLinksToClients());
    QVERIFY(Policy().approvalLinksToClients()); // on unless the policy says otherwise
    // Written back as read.
    const PolicyLoad again = PolicyParser::parse(PolicyWriter::toJson(*load.policy));
    QVERIFY(again.policy);
    QCOMPARE(again.policy->approvalHoldSeconds(), 0);
    QCOMPARE(again.policy->approvalValidSeconds(), 30);
    QVERIFY(again.policy->approvalWithdrawsOnCancel());
    QVERIFY(!again.policy->approvalLinksToClients());
    QCOMPARE(again.policy->approval->webhook->url, QStringLiteral("https://hooks.example/approvals"));
    QCOMPARE(*again.policy->approval->webhook->secretEnv, QStringLiteral("HOOK_SECRET"));
}

void TestPolicyParser::policyLayerSpellings()
{
    // The shapes PolicyLayer and Rolli's policy page use, read as Gatehouse's own.
    const PolicyLoad load = PolicyParser::parse(R"({"version":"1","default":"deny","tools":{
        "refund": {"action": "require_approval", "approval_timeout": "30m"},
        "wipe": {"action": "deny", "reason": "Never from an agent."},
        "search": {"rate_limit": {"max": 10, "window": 60}}}})");
    QVERIFY2(load.policy, load.errors.isEmpty() ? "" : qPrintable(load.errors.first().toString()));
    const Policy& p = *load.policy;
    QCOMPARE(p.tool(QStringLiteral("refund"))->effectiveAction(), ToolAction::Approve);
    QCOMPARE(p.approvalTimeoutSeconds(QStringLiteral("refund")), 1800);
    QCOMPARE(p.approvalTimeoutSeconds(QStringLiteral("search")), p.approvalTimeoutSeconds());
    QCOMPARE(*p.tool(QStringLiteral("wipe"))->onDeny, QStringLiteral("Never from an agent."));
    const Limit& rate = *p.tool(QStringLiteral("search"))->rateLimit;
    QCOMPARE(rate.max, 10);
    QCOMPARE(rate.window.seconds, 60);
    QCOMPARE(rate.effectiveScope(), LimitScope::Session);
    const PolicyLoad again = PolicyParser::parse(PolicyWriter::toJson(p));
    QVERIFY(again.policy);
    QCOMPARE(again.policy->approvalTimeoutSeconds(QStringLiteral("refund")), 1800);
    QCOMPARE(again.policy->tool(QStringLiteral("search"))->rateLimit->max, 10);
}

// Each row is a whole policy with exactly one thing wrong, and the pointer that must be reported.
void TestPolicyParser::invalid_data()
{
    QTest::addColumn<QByteArray>("policy");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("messagePart");

    auto row = [](const char* name, const QByteArray& policy, const char* pointer, const char* part) {
        QTest::newRow(name) << policy << QString::fromUtf8(pointer) << QString::fromUtf8(part);
    };
    auto withTool = [](const QByteArray& tool) -> QByteArray {
        return QByteArray(R"({"version":"1","default":"deny","tools":{"t":)") + tool + "}}";
    };
    auto withLimit = [&](const char* limit) -> QByteArray {
        return withTool(QByteArray(R"({"limits":[)") + limit + "]}");
    };
    auto withCondition = [&](const char* condition) -> QByteArray {
        return withTool(QByteArray(R"({"deny_if":[{"conditions":[)") + condition + "]}]}");
    };

    row("root not an object", "[]", "", "a policy is a JSON object");
    row("version missing", R"({"default":"deny"})", "/version", "\"version\" is required");
    row("version 2", R"({"version":"2","default":"deny"})", "/version", "unsupported version \"2\"");
    row("version as number", R"({"version":1,"default":"deny"})", "/version", "must be the string \"1\"");
    row("default missing", R"({"version":"1"})", "/default", "\"default\" is required");
    row("default unknown", R"({"version":"1","default":"block"})", "/default", "must be one of");
    row("default not a string", R"({"version":"1","default":false})", "/default", "not a boolean");
    row("description not a string", R"({"version":"1","default":"deny","description":3})", "/description",
        "must be a string");
    row("unknown top-level field", R"({"version":"1","default":"deny","rules":[]})", "/rules",
        "unknown field");
    row("hide not an array", R"({"version":"1","default":"deny","hide":"x"})", "/hide", "must be an array");
    row("hide entry not a string", R"({"version":"1","default":"deny","hide":["a",{}]})", "/hide/1",
        "non-empty string");
    row("hide entry empty", R"({"version":"1","default":"deny","hide":[""]})", "/hide/0", "non-empty string");
    row("all_tools not an object", R"({"version":"1","default":"deny","all_tools":[]})", "/all_tools",
        "must be an object");
    row("all_tools unknown field", R"({"version":"1","default":"deny","all_tools":{"limit":[]}})",
        "/all_tools/limit", "did you mean \"limits\"?");
    row("all_tools limits not an array", R"({"version":"1","default":"deny","all_tools":{"limits":{}}})",
        "/all_tools/limits", "must be an array");
    row("approval hold too long", R"({"version":"1","default":"deny","approval":{"hold_seconds":3601}})",
        "/approval/hold_seconds", "whole number from 0 to 3600");
    row("webhook not http",
        R"({"version":"1","default":"deny","approval":{"webhook":{"url":"ftp://x/y","secret":"s"}}})",
        "/approval/webhook/url", "https://");
    row("webhook plain http off the machine",
        R"({"version":"1","default":"deny","approval":{"webhook":{"url":"http://hooks.example/x","secret":"s"}}})",
        "/approval/webhook/url", "https://");
    row("webhook with a password",
        R"({"version":"1","default":"deny","approval":{"webhook":{"url":"https://u:p@h/x","secret":"s"}}})",
        "/approval/webhook/url", "user name or password");
    row("webhook without a secret",
        R"({"version":"1","default":"deny","approval":{"webhook":{"url":"https://h/x"}}})",
        "/approval/webhook", "needs \"secret\" or \"secret_env\"");
    row("webhook two secrets",
        R"({"version":"1","default":"deny","approval":{"webhook":{"url":"https://h/x","secret":"a","secret_env":"B"}}})",
        "/approval/webhook/secret_env", "not both");
    row("approval on_cancel unknown", R"({"version":"1","default":"deny","approval":{"on_cancel":"drop"}})",
        "/approval/on_cancel", "must be one of");
    row("client_links not a boolean", R"({"version":"1","default":"deny","approval":{"client_links":"no"}})",
        "/approval/client_links", "must be true or false");
    row("approval_timeout unreadable", withTool(R"({"approval_timeout":"soon"})"),
        "/tools/t/approval_timeout", "a duration must be like");
    row("reason beside on_deny", withTool(R"({"action":"deny","on_deny":"a","reason":"b"})"),
        "/tools/t/reason", "not both");
    row("rate_limit without max", withTool(R"({"rate_limit":{"window":60}})"), "/tools/t/rate_limit/max",
        "is required");
    row("approval timeout zero", R"({"version":"1","default":"deny","approval":{"timeout_seconds":0}})",
        "/approval/timeout_seconds", "whole number from 1");
    row("approval timeout fraction", R"({"version":"1","default":"deny","approval":{"timeout_seconds":2.5}})",
        "/approval/timeout_seconds", "whole number from 1");
    row("approval on_timeout unknown", R"({"version":"1","default":"deny","approval":{"on_timeout":"ask"}})",
        "/approval/on_timeout", "must be one of");
    row("tools not an object", R"({"version":"1","default":"deny","tools":[]})", "/tools",
        "must be an object");
    row("tool not an object", withTool("true"), "/tools/t", "must be an object");
    row("tool name empty", R"({"version":"1","default":"deny","tools":{"":{}}})", "/tools/",
        "must not be empty");
    row("action unknown", withTool(R"({"action":"block"})"), "/tools/t/action", "must be one of");
    row("on_deny not a string", withTool(R"({"on_deny":["no"]})"), "/tools/t/on_deny", "must be a string");
    row("unknown tool field", withTool(R"({"limit":[]})"), "/tools/t/limit", "did you mean \"limits\"?");
    row("require not an array", withTool(R"({"require":{}})"), "/tools/t/require", "must be an array");
    row("deny_if rule not an object", withTool(R"({"deny_if":["x"]})"), "/tools/t/deny_if/0",
        "must be an object");
    row("approve_if conditions not an array", withTool(R"({"approve_if":[{"conditions":{}}]})"),
        "/tools/t/approve_if/0/conditions", "must be an array");
    row("rule unknown field", withTool(R"({"require":[{"conditions":[],"message":"x"}]})"),
        "/tools/t/require/0/message", "unknown field");
    row("rule name not a string", withTool(R"({"require":[{"name":1}]})"), "/tools/t/require/0/name",
        "must be a string");
    row("condition not an object", withCondition("1"), "/tools/t/deny_if/0/conditions/0",
        "must be an object");
    row("condition path missing", withCondition(R"({"op":"eq","value":1})"),
        "/tools/t/deny_if/0/conditions/0/path", "\"path\" is required");
    row("condition path not a string", withCondition(R"({"path":["args"],"op":"eq","value":1})"),
        "/tools/t/deny_if/0/conditions/0/path", "path string");
    row("condition path without args", withCondition(R"({"path":"amount","op":"eq","value":1})"),
        "/tools/t/deny_if/0/conditions/0/path", "starts with \"args\"");
    row("condition path malformed", withCondition(R"({"path":"args.a[","op":"eq","value":1})"),
        "/tools/t/deny_if/0/conditions/0/path", "invalid path");
    row("condition op missing", withCondition(R"({"path":"args.a","value":1})"),
        "/tools/t/deny_if/0/conditions/0/op", "\"op\" is required");
    row("condition op unknown", withCondition(R"({"path":"args.a","op":"like","value":1})"),
        "/tools/t/deny_if/0/conditions/0/op", "unknown op \"like\"");
    row("condition op not a string", withCondition(R"({"path":"args.a","op":7,"value":1})"),
        "/tools/t/deny_if/0/conditions/0/op", "unknown op a number");
    row("condition value missing", withCondition(R"({"path":"args.a","op":"eq"})"),
        "/tools/t/deny_if/0/conditions/0/value", "needs a \"value\"");
    row("in without an array", withCondition(R"({"path":"args.a","op":"in","value":"x"})"),
        "/tools/t/deny_if/0/conditions/0/value", "needs an array");
    row("not_in without an array", withCondition(R"({"path":"args.a","op":"not_in","value":{}})"),
        "/tools/t/deny_if/0/conditions/0/value", "needs an array");
    row("gt with an object", withCondition(R"({"path":"args.a","op":"gt","value":{}})"),
        "/tools/t/deny_if/0/conditions/0/value", "compares with a number or a string");
    row("regex that does not compile", withCondition(R"({"path":"args.a","op":"regex","value":"(["})"),
        "/tools/t/deny_if/0/conditions/0/value", "regex does not compile");
    row("regex not a string", withCondition(R"({"path":"args.a","op":"regex","value":5})"),
        "/tools/t/deny_if/0/conditions/0/value", "needs a pattern string");
    row("exists with a string", withCondition(R"({"path":"args.a","op":"exists","value":"yes"})"),
        "/tools/t/deny_if/0/conditions/0/value", "takes true or false");
    row("condition unknown field", withCondition(R"({"path":"args.a","op":"eq","value":1,"values":[1]})"),
        "/tools/t/deny_if/0/conditions/0/values", "did you mean \"value\"?");
    row("limits not an array", withTool(R"({"limits":{"counter":"c"}})"), "/tools/t/limits",
        "must be an array");
    row("limit not an object", withLimit("3"), "/tools/t/limits/0", "must be an object");
    row("limit counter missing", withLimit(R"({"window":"minute","max":1})"), "/tools/t/limits/0/counter",
        "\"counter\" is required");
    row("limit counter empty", withLimit(R"({"counter":"","window":"minute","max":1})"),
        "/tools/t/limits/0/counter", "non-empty string");
    row("window missing", withLimit(R"({"counter":"c","max":1})"), "/tools/t/limits/0/window",
        "\"window\" is required");
    row("window unknown unit", withLimit(R"({"counter":"c","window":"week","max":1})"),
        "/tools/t/limits/0/window", "not \"week\"");
    row("window zero seconds", withLimit(R"({"counter":"c","window":0,"max":1})"), "/tools/t/limits/0/window",
        "whole number from 1");
    row("window fractional seconds", withLimit(R"({"counter":"c","window":1.5,"max":1})"),
        "/tools/t/limits/0/window", "whole number from 1");
    row("window too long", withLimit(R"({"counter":"c","window":99999999,"max":1})"),
        "/tools/t/limits/0/window", "whole number from 1");
    row("window a boolean", withLimit(R"({"counter":"c","window":true,"max":1})"), "/tools/t/limits/0/window",
        "not a boolean");
    row("max missing", withLimit(R"({"counter":"c","window":"minute"})"), "/tools/t/limits/0/max",
        "\"max\" is required");
    row("max zero", withLimit(R"({"counter":"c","window":"minute","max":0})"), "/tools/t/limits/0/max",
        "greater than 0");
    row("max negative", withLimit(R"({"counter":"c","window":"minute","max":-5})"), "/tools/t/limits/0/max",
        "greater than 0");
    row("max fractional", withLimit(R"({"counter":"c","window":"minute","max":2.5})"),
        "/tools/t/limits/0/max", "whole number");
    row("max a string", withLimit(R"({"counter":"c","window":"minute","max":"10"})"), "/tools/t/limits/0/max",
        "not a string");
    row("scope unknown", withLimit(R"({"counter":"c","window":"minute","max":1,"scope":"user"})"),
        "/tools/t/limits/0/scope", "not \"user\"");
    row("increment_from malformed",
        withLimit(R"({"counter":"c","window":"minute","max":1,"increment_from":"amount"})"),
        "/tools/t/limits/0/increment_from", "starts with \"args\"");
    row("limit unknown field", withLimit(R"({"counter":"c","window":"minute","max":1,"per":"grant"})"),
        "/tools/t/limits/0/per", "unknown field");
    row("duplicate key", R"({"version":"1","default":"deny","default":"allow"})", "/default",
        "duplicate key");
    row("duplicate tool", R"({"version":"1","default":"deny","tools":{"a":{},"a":{}}})", "/tools/a",
        "duplicate key");
    row("syntax error", R"({"version":"1","default":"deny",})", "", "trailing comma");
}

void TestPolicyParser::invalid()
{
    QFETCH(QByteArray, policy);
    QFETCH(QString, pointer);
    QFETCH(QString, messagePart);
    const PolicyLoad load = PolicyParser::parse(policy);
    QVERIFY(!load.policy);
    QVERIFY(!load.errors.isEmpty());
    QStringList all;
    for (const Diagnostic& d : load.errors)
        all << d.toString();
    QCOMPARE(load.errors.size(), 1); // exactly the one problem, nothing spurious
    QCOMPARE(load.errors.first().pointer, pointer);
    QVERIFY2(load.errors.first().message.contains(messagePart), qPrintable(all.join(u'\n')));
    QVERIFY(load.errors.first().line >= 1);
}

void TestPolicyParser::everyErrorAtOnce()
{
    const QByteArray text = R"({
  "version": "2",
  "default": "maybe",
  "tools": {
    "a": {"limits": [{"counter": "c", "window": "week", "max": 0}]},
    "b": {"deny_if": [{"conditions": [{"path": "args.x", "op": "in", "value": 1}]}]}
  }
})";
    const PolicyLoad load = PolicyParser::parse(text);
    QVERIFY(!load.policy);
    QStringList got;
    for (const Diagnostic& d : load.errors)
        got << QStringLiteral("%1 %2:%3").arg(d.pointer).arg(d.line).arg(d.column);
    const QStringList expected{
        QStringLiteral("/version 2:14"),
        QStringLiteral("/default 3:14"),
        QStringLiteral("/tools/a/limits/0/window 5:49"),
        QStringLiteral("/tools/a/limits/0/max 5:64"),
        QStringLiteral("/tools/b/deny_if/0/conditions/0/value 6:79"),
    };
    QCOMPARE(got, expected);
}

void TestPolicyParser::syntaxErrorHasLineAndColumn()
{
    const PolicyLoad load = PolicyParser::parse("{\n  \"version\": \"1\"\n  \"default\": \"deny\"\n}");
    QCOMPARE(load.errors.size(), 1);
    QCOMPARE(load.errors.first().toString(), QStringLiteral("/ (3:3): expected ',' or '}' after a member"));
}

void TestPolicyParser::typoHints_data()
{
    QTest::addColumn<QByteArray>("policy");
    QTest::addColumn<QString>("message");
    QTest::newRow("defaults") << QByteArray(R"({"version":"1","default":"deny","defaults":"x"})")
                              << "unknown field \"defaults\"; did you mean \"default\"?";
    QTest::newRow("Version") << QByteArray(R"({"version":"1","default":"deny","Tools":{}})")
                             << "unknown field \"Tools\"; did you mean \"tools\"?";
    QTest::newRow("denyif") << QByteArray(R"({"version":"1","default":"deny","tools":{"t":{"denyif":[]}}})")
                            << "unknown field \"denyif\"; did you mean \"deny_if\"?";
    QTest::newRow("no hint when far")
        << QByteArray(R"({"version":"1","default":"deny","frobnicate":1})") << "unknown field \"frobnicate\"";
}

void TestPolicyParser::typoHints()
{
    QFETCH(QByteArray, policy);
    QFETCH(QString, message);
    const PolicyLoad load = PolicyParser::parse(policy);
    QCOMPARE(load.errors.size(), 1);
    QCOMPARE(load.errors.first().message, message);
}

void TestPolicyParser::unreadableFile()
{
    const PolicyLoad load = PolicyParser::parseFile(QStringLiteral("/nonexistent/policy.json"));
    QVERIFY(!load.policy);
    QCOMPARE(load.errors.size(), 1);
    QVERIFY(load.errors.first().message.startsWith(u"cannot read /nonexistent/policy.json"));
}

QTEST_APPLESS_MAIN(TestPolicyParser)
#include "tst_policyparser.moc"
