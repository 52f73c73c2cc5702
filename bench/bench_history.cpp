// SPDX-License-Identifier: GPL-3.0-or-later
// The longest delay a call sees while the History tab searches a large audit log (default 1,000,000
// rows; first argument). Calls go through the app's own proxy (in process, on the window's event loop,
// as in the app) to the Rolli sandbox every 10 ms; meanwhile a search that matches nothing scans the
// whole log: first as History ran it before (on the window's thread), then as the History tab runs it
// now (on a reader thread). Prints the figures; not a test.
#include "HistoryView.h"
#include "SyntheticAudit.h"
#include "audit/AuditReader.h"
#include "config/Config.h"
#include "proxy/LocalClient.h"
#include "proxy/Proxy.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>

using namespace gatehouse;

namespace {

// Calls every 10 ms while `during` runs, and for 300 ms around it; the longest and median call.
struct Delays
{
    double longestMs = 0;
    double medianMs = 0;
    int calls = 0;
};

Delays measure(LocalClient& client, const std::function<void(std::function<void()> done)>& during)
{
    std::vector<double> latencies;
    QTimer pace;
    pace.setInterval(10);
    pace.setTimerType(Qt::PreciseTimer);
    int inFlight = 0;
    QObject::connect(&pace, &QTimer::timeout, [&] {
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        ++inFlight;
        client.callTool(QStringLiteral("get_usage"), {}, [&, clock](const QJsonObject&) {
            latencies.push_back(clock->nsecsElapsed() / 1e6);
            --inFlight;
        });
    });
    pace.start();
    QEventLoop loop;
    QTimer::singleShot(300, [&] { during([&] { QTimer::singleShot(300, &loop, &QEventLoop::quit); }); });
    loop.exec();
    pace.stop();
    while (inFlight > 0)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    Delays d;
    d.calls = int(latencies.size());
    if (!latencies.empty()) {
        std::sort(latencies.begin(), latencies.end());
        d.longestMs = latencies.back();
        d.medianMs = latencies[latencies.size() / 2];
    }
    return d;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    const qint64 rows = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());
    const QString path = dir.filePath(QStringLiteral("audit.sqlite"));
    if (!writeSyntheticAudit(path, rows))
        return 1;

    AuditLog audit(path);
    QString error;
    if (!audit.open(&error)) {
        std::fprintf(stderr, "audit: %s\n", qPrintable(error));
        return 1;
    }
    ServerConfig s;
    s.command = QStringList{QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")};
    s.policy = QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json");
    Proxy proxy(std::make_shared<Config>(), {{QStringLiteral("rolli"), s}}, &audit);
    Proxy::Settings settings;
    settings.port = 0;
    if (!proxy.start(settings, &error)) {
        std::fprintf(stderr, "proxy: %s\n", qPrintable(error));
        return 1;
    }
    LocalClient client(proxy.upstream(QStringLiteral("rolli")), proxy.gateFor(QStringLiteral("rolli"), {}),
                       {});
    // Warm up: the sandbox started and initialized.
    bool ready = false;
    client.callTool(QStringLiteral("get_usage"), {}, [&](const QJsonObject&) { ready = true; });
    QElapsedTimer wait;
    wait.start();
    while (!ready && wait.elapsed() < 20'000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    if (!ready) {
        std::fprintf(stderr, "the sandbox did not answer\n");
        return 1;
    }
    const QString nothing = QStringLiteral("matches-no-row");

    const Delays idle = measure(client, [](std::function<void()> done) { done(); });
    double searchMs = 0;
    const Delays before = measure(client, [&](std::function<void()> done) {
        QElapsedTimer t;
        t.start();
        AuditReader reader(path);
        AuditQuery q;
        q.text = nothing;
        const AuditPage page = reader.page(q); // on the window's thread, as History did
        searchMs = t.nsecsElapsed() / 1e6;
        if (!page.error.isEmpty())
            std::fprintf(stderr, "search: %s\n", qPrintable(page.error));
        done();
    });
    ui::HistoryView view(path);
    double viewMs = 0;
    const Delays after = measure(client, [&](std::function<void()> done) {
        auto t = std::make_shared<QElapsedTimer>();
        t->start();
        QObject::connect(&view, &ui::HistoryView::pageShown, &view, [&, t, done] {
            if (view.isSearching())
                return;
            viewMs = t->nsecsElapsed() / 1e6;
            QObject::disconnect(&view, &ui::HistoryView::pageShown, nullptr, nullptr);
            done();
        });
        view.filterText()->setText(nothing);
        view.showPage(0);
    });

    std::printf("audit log of %lld rows; calls of get_usage through the app's proxy every 10 ms\n", rows);
    std::printf("no search:                          longest call %7.1f ms, median %5.2f ms (%d calls)\n",
                idle.longestMs, idle.medianMs, idle.calls);
    std::printf("search on the window's thread:      longest call %7.1f ms, median %5.2f ms (%d calls); "
                "search %.0f ms\n",
                before.longestMs, before.medianMs, before.calls, searchMs);
    std::printf("History tab search (reader thread): longest call %7.1f ms, median %5.2f ms (%d calls); "
                "search %.0f ms\n",
                after.longestMs, after.medianMs, after.calls, viewMs);
    proxy.stop();
    return 0;
}
