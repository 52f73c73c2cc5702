// SPDX-License-Identifier: GPL-3.0-or-later
// Decisions per second on one core, for a policy over all 30 Rolli tools: limits on every Write and
// Execute tool, argument conditions on several, counters reserved and committed on every allowed call.
//
//   bench_decisions [--seconds S] [--catalogue tools.json]
#include "counters/InMemoryCounterStore.h"
#include "decision/Evaluator.h"
#include "policy/PolicyParser.h"

#include "json/JsonWriter.h"
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>
#include <map>

using namespace gatehouse;

namespace {

QJsonObject limit(const QString& counter, const char* window, qint64 max, const char* scope)
{
    return {{QStringLiteral("counter"), counter},
            {QStringLiteral("window"), QString::fromLatin1(window)},
            {QStringLiteral("max"), max},
            {QStringLiteral("scope"), QString::fromLatin1(scope)}};
}

QJsonObject condition(const char* path, const char* op, const QJsonValue& value)
{
    return {{QStringLiteral("path"), QString::fromLatin1(path)},
            {QStringLiteral("op"), QString::fromLatin1(op)},
            {QStringLiteral("value"), value}};
}

QJsonObject rule(const QJsonArray& conditions, const char* onDeny)
{
    return {{QStringLiteral("conditions"), conditions},
            {QStringLiteral("on_deny"), QString::fromLatin1(onDeny)}};
}

// Argument conditions on several tools, as a careful team would write them.
void addConditions(const QString& name, QJsonObject& tool)
{
    auto arr = [](std::initializer_list<QJsonValue> v) { return QJsonArray(v); };
    if (name == u"start_agent_run") {
        tool[QStringLiteral("deny_if")] =
            arr({rule(arr({condition("args.available_credits", "gt", 500)}), "Too many credits.")});
        tool[QStringLiteral("require")] = arr(
            {rule(arr({condition("args.question", "exists", true),
                       condition("args.mode", "in", arr({QStringLiteral("quick"), QStringLiteral("deep")}))}),
                  "Give a question and a known mode.")});
    } else if (name == u"keyword_search") {
        tool[QStringLiteral("deny_if")] = arr({rule(
            arr({condition("args.query", "regex", QStringLiteral("(?i)\\b(drop|delete)\\b"))}), "No.")});
        tool[QStringLiteral("require")] =
            arr({rule(arr({condition("args.max_post", "lte", 5000)}), "At most 5000 posts.")});
    } else if (name == u"create_agent_schedule" || name == u"update_agent_schedule") {
        tool[QStringLiteral("deny_if")] =
            arr({rule(arr({condition("args.notify_slack_webhook", "contains", QStringLiteral("http://"))}),
                      "HTTPS only."),
                 rule(arr({condition("args.platforms", "contains", QStringLiteral("facebook"))}),
                      "Not on Facebook.")});
    } else if (name == u"rerun_agent_run" || name == u"cancel_agent_run") {
        tool[QStringLiteral("deny_if")] =
            arr({rule(arr({condition("args.id", "in", arr({1, 2, 3}))}), "Protected runs.")});
    } else if (name == u"list_agent_runs") {
        tool[QStringLiteral("require")] =
            arr({rule(arr({condition("args.limit", "lte", 100)}), "Page size at most 100.")});
    }
}

// A sample argument object from an input schema: enums take their first value.
QJsonObject sampleArguments(const QJsonObject& schema)
{
    QJsonObject args;
    const QJsonObject props = schema.value(u"properties").toObject();
    for (auto it = props.begin(); it != props.end(); ++it) {
        const QJsonObject p = it.value().toObject();
        const QString type = p.value(u"type").toString();
        if (p.contains(u"enum"))
            args[it.key()] = p.value(u"enum").toArray().first();
        else if (type == u"integer" || type == u"number")
            args[it.key()] = 42;
        else if (type == u"boolean")
            args[it.key()] = true;
        else if (type == u"array")
            args[it.key()] = QJsonArray{QStringLiteral("twitter"), QStringLiteral("reddit")};
        else if (type == u"object")
            args[it.key()] = QJsonObject{{QStringLiteral("k"), QStringLiteral("v")}};
        else
            args[it.key()] = QStringLiteral("rolli agent benchmark text");
    }
    if (args.contains(u"mode"))
        args[QStringLiteral("mode")] = QStringLiteral("deep");
    return args;
}

struct Run
{
    double decisionsPerSecond = 0;
    std::map<QString, qint64> verdicts;
};

Run measure(const Policy& policy, const QList<ToolCall>& calls, double seconds)
{
    const Evaluator evaluator(std::make_shared<InMemoryCounterStore>());
    qint64 now = 1'767'225'600'000; // 2026-01-01T00:00:00Z
    Run run;
    qint64 n = 0;
    QElapsedTimer timer;
    timer.start();
    const qint64 budgetNs = qint64(seconds * 1e9);
    std::map<Verdict, qint64> counts;
    while (timer.nsecsElapsed() < budgetNs) {
        for (int batch = 0; batch < 4096; ++batch) {
            const ToolCall& c = calls[n % calls.size()];
            Decision d = evaluator.decide(policy, c, now);
            d.reservation.commit();
            ++counts[d.verdict];
            ++n;
            now += 1; // a millisecond apart: windows roll over as they would in a busy hour
        }
    }
    const double elapsed = timer.nsecsElapsed() / 1e9;
    run.decisionsPerSecond = n / elapsed;
    for (const auto& [v, c] : counts)
        run.verdicts[verdictName(v)] = c;
    return run;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    double seconds = 3;
    QString cataloguePath = QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json");
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--seconds")
            seconds = args[i + 1].toDouble();
        else if (args[i] == u"--catalogue")
            cataloguePath = args[i + 1];
    }

    QFile file(cataloguePath);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(cataloguePath));
        return 1;
    }
    const QJsonArray tools = QJsonDocument::fromJson(file.readAll()).object().value(u"tools").toArray();

    // Two policies over the same tools: "roomy" limits that never bite, so every call reserves and
    // commits quota (the most work per decision), and the catalogue's real limits, which mostly refuse.
    auto buildPolicy = [&](bool roomy) {
        QJsonObject toolPolicies;
        QJsonArray hide;
        for (const QJsonValue& t : tools) {
            const QString name = t[QStringLiteral("name")].toString();
            const QString category = t[QStringLiteral("category")].toString();
            QJsonObject policy;
            if (category == u"Write")
                policy[QStringLiteral("limits")] = QJsonArray{
                    limit(name + QStringLiteral("_rate"), "minute", roomy ? 1'000'000'000 : 30, "grant")};
            else if (category == u"Execute")
                policy[QStringLiteral("limits")] = QJsonArray{
                    limit(name + QStringLiteral("_rate"), "minute", roomy ? 1'000'000'000 : 10, "grant"),
                    limit(QStringLiteral("all_runs"), "hour", roomy ? 1'000'000'000 : 100, "global")};
            else if (category == u"Destructive")
                hide.append(name);
            addConditions(name, policy);
            toolPolicies[name] = policy;
        }
        const QJsonObject doc{{QStringLiteral("version"), QStringLiteral("1")},
                              {QStringLiteral("default"), QStringLiteral("deny")},
                              {QStringLiteral("hide"), hide},
                              {QStringLiteral("tools"), toolPolicies}};
        const PolicyLoad load = PolicyParser::parse(JsonWriter::canonical(doc));
        if (!load.policy) {
            std::fprintf(stderr, "bench policy invalid: %s\n", qPrintable(load.errors.first().toString()));
            std::exit(1);
        }
        return *load.policy;
    };

    QList<ToolCall> calls;
    for (int g = 0; g < 16; ++g) {
        for (const QJsonValue& t : tools) {
            QJsonObject arguments = sampleArguments(t[QStringLiteral("inputSchema")].toObject());
            if (g % 4 == 3) {
                // A quarter of the agents misbehave, so the deny rules fire too.
                for (const char* key : {"available_credits", "max_post", "limit"})
                    if (arguments.contains(QLatin1String(key)))
                        arguments[QLatin1String(key)] = 100000;
                if (arguments.contains(u"query"))
                    arguments[QStringLiteral("query")] = QStringLiteral("please DROP everything");
            }
            calls.append({t[QStringLiteral("name")].toString(), arguments, QStringLiteral("agent-%1").arg(g),
                          QStringLiteral("session-%1").arg(g % 4)});
        }
    }

    std::printf(
        "Gatehouse decision benchmark: %lld Rolli tools, %lld distinct calls, one thread, %.1f s per run\n",
        qlonglong(tools.size()), qlonglong(calls.size()), seconds);
    for (const bool roomy : {true, false}) {
        const Policy policy = buildPolicy(roomy);
        const Run r = measure(policy, calls, seconds);
        std::printf("%-34s %12.0f decisions/s  %7.3f us/decision  [",
                    roomy ? "limits never bite (reserve+commit)" : "catalogue limits (mostly limited)",
                    r.decisionsPerSecond, 1e6 / r.decisionsPerSecond);
        bool first = true;
        for (const auto& [v, c] : r.verdicts) {
            std::printf("%s%s %lld", first ? "" : ", ", qPrintable(v), qlonglong(c));
            first = false;
        }
        std::printf("]\n");
    }
    std::printf("goal: >= 1000000 decisions/s (<= 1 us each)\n");
    return 0;
}
