// SPDX-License-Identifier: GPL-3.0-or-later
// Audit log figures: rows per second sustained (many calls in flight, batched commits) and the
// latency one row adds to one call at a time (append -> durable callback on the proxy's thread).
//
//   bench_audit [--rows N] [--sequential N]
#include "audit/AuditLog.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace gatehouse;

namespace {
CallRecord sample(int i)
{
    CallRecord r;
    r.time = QDateTime::currentDateTimeUtc();
    r.server = QStringLiteral("rolli");
    r.session = QStringLiteral("session-%1").arg(i % 8);
    r.grant = QStringLiteral("agent-%1").arg(i % 8);
    r.requestId = QString::number(i);
    r.tool = QStringLiteral("rerun_agent_run");
    r.arguments = {{QStringLiteral("id"), i}, {QStringLiteral("note"), QStringLiteral("benchmark row")}};
    r.verdict = Verdict::Allowed;
    r.outcome = CallRecord::Outcome::Answered;
    r.latencyMs = 0.4;
    r.resultBytes = 120;
    return r;
}
} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    int rows = 200'000;
    int sequential = 5'000;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--rows")
            rows = args[i + 1].toInt();
        else if (args[i] == u"--sequential")
            sequential = args[i + 1].toInt();
    }
    QTemporaryDir dir;
    AuditLog log(dir.filePath(QStringLiteral("audit.sqlite")));
    QString error;
    if (!log.open(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }

    // Sustained: keep up to 4,000 rows in flight, as a busy proxy would.
    int durable = 0;
    int queued = 0;
    QElapsedTimer t;
    t.start();
    while (durable < rows) {
        while (queued < rows && queued - durable < 4000)
            log.append(sample(queued++), [&durable](bool ok) { durable += ok ? 1 : 0; });
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    const double sustained = rows / (t.nsecsElapsed() / 1e9);

    // One at a time: what a lone call waits for its row.
    std::vector<double> waits;
    waits.reserve(size_t(sequential));
    for (int i = 0; i < sequential; ++i) {
        bool done = false;
        QElapsedTimer one;
        one.start();
        log.append(sample(rows + i), [&done](bool) { done = true; });
        while (!done)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        waits.push_back(one.nsecsElapsed() / 1e6);
    }
    std::sort(waits.begin(), waits.end());
    const AuditLog::Verification v = AuditLog::verify(log.path());
    std::printf("audit rows sustained: %.0f rows/s (%d rows, goal >= 20000)\n", sustained, rows);
    std::printf("added latency, one call at a time: p50 %.3f ms, p99 %.3f ms (%d calls, goal p50 <= 0.05 ms)\n",
                waits[waits.size() / 2], waits[size_t(waits.size() * 0.99)], sequential);
    std::printf("hash chain: %s, %lld rows\n", v.intact ? "intact" : "BROKEN", qlonglong(v.rows));
    return 0;
}
