// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExplainCommand.h"

#include "counters/InMemoryCounterStore.h"
#include "decision/Evaluator.h"
#include "policy/PolicyParser.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonDocument>
#include <QMap>

namespace gatehouse::cli {

namespace {
constexpr int MaxCalls = 1'000'000;
}

int explain(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Decide successive calls of one tool against a policy."));
    parser.addPositionalArgument(QStringLiteral("policy"), QStringLiteral("The policy file."));
    const QCommandLineOption tool(QStringLiteral("tool"), QStringLiteral("Tool name."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption arguments(QStringLiteral("args"), QStringLiteral("Arguments as a JSON object."),
                                       QStringLiteral("JSON"), QStringLiteral("{}"));
    const QCommandLineOption grant(QStringLiteral("grant"), QStringLiteral("Grant label of the caller."),
                                   QStringLiteral("LABEL"), QStringLiteral("cli"));
    const QCommandLineOption session(QStringLiteral("session"), QStringLiteral("Session id."),
                                     QStringLiteral("ID"), QStringLiteral("explain"));
    const QCommandLineOption calls(QStringLiteral("calls"), QStringLiteral("How many calls (default 1)."),
                                   QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption every(QStringLiteral("every"),
                                   QStringLiteral("Seconds between calls (default 0)."),
                                   QStringLiteral("SECONDS"), QStringLiteral("0"));
    const QCommandLineOption at(QStringLiteral("at"), QStringLiteral("Time of the first call, ISO 8601 UTC."),
                                QStringLiteral("TIME"));
    const QCommandLineOption approve(QStringLiteral("approve"),
                                     QStringLiteral("Assume a person allows each call that asks."));
    parser.addOptions({tool, arguments, grant, session, calls, every, at, approve});

    QStringList argv{QStringLiteral("gatehouse explain")};
    argv += args;
    if (!parser.parse(argv)) {
        err << "gatehouse explain: " << parser.errorText() << '\n';
        return 2;
    }
    if (parser.positionalArguments().size() != 1 || !parser.isSet(tool)) {
        err << "usage: gatehouse explain POLICY.json --tool NAME [--args JSON] [--grant LABEL] [--session "
               "ID]\n"
               "                         [--calls N] [--every SECONDS] [--at ISO-TIME] [--approve]\n";
        return 2;
    }

    ToolCall call;
    call.tool = parser.value(tool);
    call.grant = parser.value(grant);
    call.session = parser.value(session);
    QJsonParseError jsonError{};
    const QJsonDocument argsDoc = QJsonDocument::fromJson(parser.value(arguments).toUtf8(), &jsonError);
    if (jsonError.error != QJsonParseError::NoError || !argsDoc.isObject()) {
        err << "gatehouse explain: --args must be a JSON object"
            << (jsonError.error != QJsonParseError::NoError
                    ? QStringLiteral(" (%1 at offset %2)").arg(jsonError.errorString()).arg(jsonError.offset)
                    : QString())
            << '\n';
        return 2;
    }
    call.arguments = argsDoc.object();

    bool ok = false;
    const int count = parser.value(calls).toInt(&ok);
    if (!ok || count < 1 || count > MaxCalls) {
        err << "gatehouse explain: --calls must be a whole number from 1 to " << MaxCalls << '\n';
        return 2;
    }
    const double step = parser.value(every).toDouble(&ok);
    if (!ok || step < 0) {
        err << "gatehouse explain: --every must be a number of seconds, 0 or more\n";
        return 2;
    }
    qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(at)) {
        const QDateTime t = QDateTime::fromString(parser.value(at), Qt::ISODateWithMs);
        if (!t.isValid()) {
            err << "gatehouse explain: --at must be an ISO 8601 time such as 2026-01-01T12:00:30Z\n";
            return 2;
        }
        nowMs = t.toMSecsSinceEpoch();
    }

    const PolicyLoad load = PolicyParser::parseFile(parser.positionalArguments().first());
    if (!load.policy) {
        for (const Diagnostic& d : load.errors)
            err << d.toString() << '\n';
        return 1;
    }

    const Evaluator evaluator(std::make_shared<InMemoryCounterStore>());
    QMap<QString, int> tally;
    for (int i = 1; i <= count; ++i) {
        const qint64 when = nowMs + qint64((i - 1) * step * 1000);
        Decision d = evaluator.decide(*load.policy, call, when);
        QString verdict = verdictName(d.verdict);
        if (d.verdict == Verdict::NeedsApproval && parser.isSet(approve)) {
            const QString asked = d.rule;
            d = evaluator.reserveApproved(*load.policy, call, when);
            if (d.isAllowed()) {
                verdict = QStringLiteral("approved");
                d.rule = asked;
                d.message = QStringLiteral("allowed by a person (assumed by --approve)");
            } else {
                verdict = verdictName(d.verdict);
            }
        }
        d.reservation.commit(); // the call ran, so it counts
        ++tally[verdict];
        out << QStringLiteral("call %1  %2").arg(i, 3).arg(verdict, -14)
            << (d.rule.isEmpty() ? QStringLiteral("(no rule)") : d.rule);
        if (!d.message.isEmpty())
            out << "  " << d.message;
        out << '\n';
    }
    QStringList summary;
    for (auto it = tally.cbegin(); it != tally.cend(); ++it)
        summary << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    out << summary.join(QStringLiteral(", ")) << '\n';
    return 0;
}

} // namespace gatehouse::cli
