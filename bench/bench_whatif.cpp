// SPDX-License-Identifier: GPL-3.0-or-later
// What-if replay speed: an audit log of N calls (default 1,000,000; first argument) over the 30 Rolli
// tools and 20 grants across a day, replayed against the recommended Rolli policy with one extra limit.
// Goal: 1,000,000 calls in 5 s or less. Prints the figures; not a test.
#include "SyntheticAudit.h"
#include "policy/PolicyParser.h"
#include "whatif/WhatIfReplay.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <cstdio>

using namespace gatehouse;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const qint64 calls = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("audit.sqlite"));
    QElapsedTimer t;
    t.start();
    if (!writeSyntheticAudit(db, calls))
        return 1;
    std::printf("audit log of %lld calls written in %.1f s\n", calls, t.nsecsElapsed() / 1e9);

    // The recommended policy, with one more limit: rerun_agent_run 5 a minute per grant.
    QFile policyFile(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json"));
    if (!policyFile.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "no recommended policy at %s\n", qPrintable(policyFile.fileName()));
        return 1;
    }
    QJsonObject policy = QJsonDocument::fromJson(policyFile.readAll()).object();
    QJsonObject toolsPolicy = policy[QLatin1String("tools")].toObject();
    toolsPolicy.insert(
        QStringLiteral("get_usage"),
        QJsonObject{{QStringLiteral("limits"),
                     QJsonArray{QJsonObject{{QStringLiteral("counter"), QStringLiteral("usage")},
                                            {QStringLiteral("window"), QStringLiteral("minute")},
                                            {QStringLiteral("max"), 5},
                                            {QStringLiteral("scope"), QStringLiteral("grant")}}}}});
    policy.insert(QStringLiteral("tools"), toolsPolicy);
    const PolicyLoad draft = PolicyParser::parse(QJsonDocument(policy).toJson());
    if (!draft.policy) {
        std::fprintf(stderr, "draft invalid: %s\n", qPrintable(draft.errors.first().toString()));
        return 1;
    }
    QString error;
    const auto r = WhatIfReplay::run(*draft.policy, db, {}, &error);
    if (!r) {
        std::fprintf(stderr, "replay: %s\n", qPrintable(error));
        return 1;
    }
    std::printf(
        "replayed %lld calls in %.2f s (%.0f calls/s; goal: 1,000,000 in 5 s): %lld would change in %lld "
        "groups\n",
        r->replayed, r->seconds, r->replayed / r->seconds, r->changed, qint64(r->changes.size()));
    for (qsizetype i = 0; i < std::min<qsizetype>(3, r->changes.size()); ++i)
        std::printf("  %s %s -> %s: %lld\n", qPrintable(r->changes[i].tool), qPrintable(r->changes[i].before),
                    qPrintable(r->changes[i].after), r->changes[i].count);
    return 0;
}
