// SPDX-License-Identifier: GPL-3.0-or-later
#include "RiskGuess.h"

#include <QRegularExpression>
#include <QStringList>

namespace gatehouse {

namespace {

// Words of a name: snake_case, kebab-case, dotted and camelCase all split.
QStringList words(const QString& name)
{
    QString spaced;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        if (c.isUpper() && i > 0 && name.at(i - 1).isLower())
            spaced += u' ';
        spaced += c.isLetterOrNumber() ? c.toLower() : QChar(u' ');
    }
    return spaced.split(u' ', Qt::SkipEmptyParts);
}

struct Rule
{
    const char* riskClass;
    QStringList verbs;
};

} // namespace

RiskGuess guessRiskClass(const QJsonObject& tool)
{
    // Most dangerous first: "get_and_delete" is destructive.
    static const QList<Rule> rules{
        {"Destructive",
         {QStringLiteral("delete"), QStringLiteral("remove"), QStringLiteral("drop"),
          QStringLiteral("destroy"), QStringLiteral("purge"), QStringLiteral("erase"), QStringLiteral("wipe"),
          QStringLiteral("truncate")}},
        {"Financial",
         {QStringLiteral("pay"), QStringLiteral("payment"), QStringLiteral("charge"),
          QStringLiteral("refund"), QStringLiteral("transfer"), QStringLiteral("invoice"),
          QStringLiteral("purchase"), QStringLiteral("buy"), QStringLiteral("withdraw"),
          QStringLiteral("payout")}},
        {"Execute",
         {QStringLiteral("run"), QStringLiteral("rerun"), QStringLiteral("start"), QStringLiteral("execute"),
          QStringLiteral("exec"), QStringLiteral("send"), QStringLiteral("trigger"), QStringLiteral("launch"),
          QStringLiteral("cancel"), QStringLiteral("stop"), QStringLiteral("restart"),
          QStringLiteral("deploy"), QStringLiteral("invoke"), QStringLiteral("call"),
          QStringLiteral("publish"), QStringLiteral("notify")}},
        {"Write",
         {QStringLiteral("create"), QStringLiteral("update"), QStringLiteral("set"), QStringLiteral("add"),
          QStringLiteral("edit"), QStringLiteral("put"), QStringLiteral("patch"), QStringLiteral("write"),
          QStringLiteral("toggle"), QStringLiteral("pause"), QStringLiteral("resume"),
          QStringLiteral("upload"), QStringLiteral("rename"), QStringLiteral("move"), QStringLiteral("save"),
          QStringLiteral("insert")}},
        {"Read",
         {QStringLiteral("get"), QStringLiteral("list"), QStringLiteral("search"), QStringLiteral("read"),
          QStringLiteral("fetch"), QStringLiteral("find"), QStringLiteral("query"),
          QStringLiteral("describe"), QStringLiteral("show"), QStringLiteral("view"),
          QStringLiteral("lookup"), QStringLiteral("count")}},
    };
    const QString name = tool.value(QLatin1String("name")).toString();
    const QStringList nameWords = words(name);
    const QJsonObject annotations = tool.value(QLatin1String("annotations")).toObject();
    const bool readOnly = annotations.value(QLatin1String("readOnlyHint")).toBool(false);
    const bool destructive = annotations.value(QLatin1String("destructiveHint")).toBool(false);

    auto classify = [&](const Rule& r, const QString& verb) -> RiskGuess {
        const QString cls = QString::fromLatin1(r.riskClass);
        // A read-only annotation outranks a verb that only suggests doing something.
        if (readOnly && (cls == u"Execute" || cls == u"Write"))
            return {QStringLiteral("Read"),
                    QStringLiteral("annotated readOnlyHint (name says \"%1\")").arg(verb)};
        return {cls, QStringLiteral("name says \"%1\"").arg(verb)};
    };
    // Destroying or paying anywhere in the name wins, for safety; otherwise the leading verb decides
    // ("get_agent_run" reads a run), then any verb, most dangerous first.
    for (const Rule& r : rules.mid(0, 2))
        for (const QString& verb : r.verbs)
            if (nameWords.contains(verb))
                return classify(r, verb);
    if (!nameWords.isEmpty())
        for (const Rule& r : rules)
            if (r.verbs.contains(nameWords.first()))
                return classify(r, nameWords.first());
    for (const Rule& r : rules)
        for (const QString& verb : r.verbs)
            if (nameWords.contains(verb))
                return classify(r, verb);
    if (destructive && !readOnly)
        return {QStringLiteral("Destructive"), QStringLiteral("annotated destructiveHint")};
    if (readOnly)
        return {QStringLiteral("Read"), QStringLiteral("annotated readOnlyHint")};
    const QString description = tool.value(QLatin1String("description")).toString().toLower();
    static const QRegularExpression readish(
        QStringLiteral("\\b(returns?|gets?|lists?|shows?|retrieves?|reads?)\\b"));
    if (readish.match(description).hasMatch())
        return {QStringLiteral("Read"), QStringLiteral("description reads like a lookup")};
    return {QStringLiteral("Write"),
            QStringLiteral("no clue in name, description or annotations; assumed Write to be safe")};
}

} // namespace gatehouse
