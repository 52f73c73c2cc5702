// SPDX-License-Identifier: GPL-3.0-or-later
// Figures for the desktop app: start-up to a shown window; the live table's ingest of 1,000,000 calls
// with a view attached and the event loop measured for stalls; memory per retained row; filtering.
// Goals (issue 5): >= 20,000 calls/s, longest stall < 50 ms, 1,000,000 rows in <= 400 MB, filter
// <= 200 ms, window shown <= 500 ms.
#include "CallTableModel.h"
#include "LiveCallsView.h"
#include "MainWindow.h"
#include "audit/AuditLog.h"
#include "proxy/Proxy.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>

using namespace gatehouse;
using namespace gatehouse::ui;

namespace {
double rssMb()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.value(1).toDouble() * 4096.0 / (1024 * 1024);
}

CallRecord makeCall(qint64 i)
{
    static const QStringList tools{
        QStringLiteral("rerun_agent_run"), QStringLiteral("get_agent_run"),
        QStringLiteral("keyword_search"),  QStringLiteral("start_agent_run"),
        QStringLiteral("list_agent_runs"), QStringLiteral("update_agent_schedule")};
    static const QStringList grants{QStringLiteral("alice-laptop"), QStringLiteral("ci-bot"), QString()};
    CallRecord r;
    r.sequence = i;
    r.time = QDateTime::fromMSecsSinceEpoch(1'790'000'000'000 + i);
    r.server = QStringLiteral("rolli");
    r.tool = tools.at(i % tools.size());
    r.grant = grants.at(i % grants.size());
    const bool limited = i % 11 == 10;
    r.verdict = limited ? Verdict::Limited : Verdict::Allowed;
    r.outcome = limited ? CallRecord::Outcome::Refused : CallRecord::Outcome::Answered;
    r.rule = limited ? QStringLiteral("/tools/%1/limits/0").arg(r.tool) : QString();
    r.arguments =
        QJsonObject{{QStringLiteral("id"), QStringLiteral("run-%1").arg(i % 5000)},
                    {QStringLiteral("question"), QStringLiteral("what changed in week %1").arg(i % 52)}};
    r.latencyMs = 0.2 + (i % 7) * 0.1;
    return r;
}
} // namespace

int main(int argc, char* argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    QApplication app(argc, argv);
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());

    // Start-up: the app's own window over a running proxy (its upstream starts in the background).
    {
        AuditLog audit(dir.filePath(QStringLiteral("audit.sqlite")));
        QString error;
        audit.open(&error);
        ServerConfig s;
        s.command = QStringList{QStringLiteral("/bin/cat")};
        s.policy = QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json");
        Proxy proxy(std::make_shared<Config>(), {{QStringLiteral("rolli"), s}}, &audit);
        Proxy::Settings settings;
        settings.port = 0;
        proxy.start(settings, &error);
        MainWindow::Setup setup;
        setup.proxy = &proxy;
        setup.auditPath = audit.path();
        setup.catalogues.insert(
            QStringLiteral("rolli"),
            *ToolCatalogue::fromFile(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"), &error));
        MainWindow window(setup);
        window.show();
        QCoreApplication::processEvents();
        std::printf("start-up to a shown window:      %6lld ms (process start to first paint; goal <= 500)\n",
                    sinceStart.elapsed());
        proxy.stop();
    }

    const qint64 total = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    CallTableModel model;
    LiveCallsView view(&model);
    view.resize(1400, 800);
    view.show();
    QCoreApplication::processEvents();
    const double rssBefore = rssMb();

    // Offer calls at a steady rate well above what one proxy produces (40,000/s: 400 every 10 ms) while a
    // 5 ms probe timer measures how long the event loop is ever kept from it. Then, unpaced, how fast
    // the model can take them at all.
    QElapsedTimer probeClock;
    probeClock.start();
    qint64 lastProbe = 0, longestStall = 0;
    QTimer probe;
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = probeClock.elapsed();
        longestStall = std::max(longestStall, now - lastProbe);
        lastProbe = now;
    });
    probe.start();
    qint64 next = 1;
    QElapsedTimer ingest;
    ingest.start();
    QTimer feeder;
    const int perTick = qEnvironmentVariableIntValue("BENCH_PER_10MS") > 0
                            ? qEnvironmentVariableIntValue("BENCH_PER_10MS")
                            : 400;
    feeder.setInterval(10);
    feeder.setTimerType(Qt::PreciseTimer);
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        for (int i = 0; i < perTick && next <= total; ++i)
            model.add(makeCall(next++));
        if (next > total) {
            feeder.stop();
            model.flush();
            QCoreApplication::quit();
        }
    });
    lastProbe = probeClock.elapsed();
    feeder.start();
    QCoreApplication::exec();
    const double seconds = ingest.nsecsElapsed() / 1e9;
    probe.stop();
    std::printf(
        "ingest of %lld calls offered at %d/s, view attached: %.2f s = %.0f calls/s (goal >= 20,000)\n",
        total, perTick * 100, seconds, double(total) / seconds);
    std::printf("longest event-loop stall:        %6lld ms (goal < 50)\n", longestStall);
    const double rssAfter = rssMb();
    std::printf("memory for %lld rows:          %6.0f MB = %.0f bytes/row (goal: 1,000,000 rows <= 400 MB)\n",
                total, rssAfter - rssBefore, (rssAfter - rssBefore) * 1024 * 1024 / double(total));
    std::printf("rows shown:                      %lld, follow-tail %s\n", qint64(model.rowCount()),
                view.isFollowing() ? "on" : "off");

    // Unpaced: a burst of 200,000 queued at once, then taken in slices.
    {
        CallTableModel burst;
        QTableView burstView;
        burstView.setModel(&burst);
        burstView.show();
        QElapsedTimer t;
        t.start();
        for (qint64 i = 1; i <= 200'000; ++i)
            burst.add(makeCall(i));
        burst.flush();
        std::printf("burst of 200,000 calls, unpaced:  %.0f calls/s\n", 200'000 / (t.nsecsElapsed() / 1e9));
    }

    struct Case
    {
        const char* name;
        CallFilter filter;
    };
    CallFilter text;
    text.text = QStringLiteral("week 17");
    CallFilter status;
    status.statuses = 1u << int(CallTableModel::CallStatus::Limited);
    CallFilter combined;
    combined.text = QStringLiteral("run-42");
    combined.tool = QStringLiteral("rerun_agent_run");
    combined.grant = QStringLiteral("alice-laptop");
    for (const Case& c : {Case{"text in arguments", text}, Case{"status = limited", status},
                          Case{"text + tool + grant", combined}, Case{"cleared", CallFilter{}}}) {
        QElapsedTimer t;
        t.start();
        model.setFilter(c.filter);
        const qint64 ms = t.elapsed();
        std::printf("filter %-22s %6lld ms, %7d rows (goal <= 200 ms)\n", c.name, ms, model.rowCount());
    }
    return 0;
}
