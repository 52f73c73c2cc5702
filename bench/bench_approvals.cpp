// SPDX-License-Identifier: GPL-3.0-or-later
// From a person's answer to the agent's result, while the agent waits on the line: the time from the
// click (ApprovalBroker::answer, as the app's button and the admin API call it) until the tool's result
// reaches the agent, through the proxy's whole path (approval recorded as used, limits taken, the call
// sent to the Rolli sandbox, its answer audited and delivered). The agent is the app's in-process client,
// so the figure leaves out only the last write to a socket. Rounds: first argument (default 300).
// Prints p50, p99 and the longest; not a test.
#include "approvals/ApprovalBroker.h"
#include "audit/AuditLog.h"
#include "config/Config.h"
#include "proxy/LocalClient.h"
#include "proxy/Proxy.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>

using namespace gatehouse;

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? std::max(1, QByteArray(argv[1]).toInt()) : 300;
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());
    const QString policy = dir.filePath(QStringLiteral("policy.json"));
    QFile f(policy);
    if (!f.open(QIODevice::WriteOnly) ||
        f.write(R"({"version": "1", "default": "deny", "tools": {"get_usage": {"action": "approve"}}})") < 0)
        return 1;
    f.close();

    AuditLog audit(dir.filePath(QStringLiteral("audit.sqlite")));
    QString error;
    if (!audit.open(&error)) {
        std::fprintf(stderr, "audit: %s\n", qPrintable(error));
        return 1;
    }
    ServerConfig s;
    s.command = QStringList{QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")};
    s.policy = policy;
    Proxy proxy(std::make_shared<Config>(), {{QStringLiteral("rolli"), s}}, &audit);
    Proxy::Settings settings;
    settings.port = 0;
    settings.approvalsPath = dir.filePath(QStringLiteral("approvals.sqlite")); // durable, as in the app
    if (!proxy.start(settings, &error)) {
        std::fprintf(stderr, "proxy: %s\n", qPrintable(error));
        return 1;
    }
    LocalClient agent(proxy.upstream(QStringLiteral("rolli")), proxy.gateFor(QStringLiteral("rolli"), {}),
                      {});
    ApprovalBroker* broker = proxy.broker();

    // The person answers each question 20 ms after it appears (a real one takes longer; it does not
    // matter to the figure, which starts at the answer).
    QElapsedTimer clicked;
    QObject::connect(broker, &ApprovalBroker::requested, broker, [&](const ApprovalRequest& r) {
        QTimer::singleShot(20, broker, [&, id = r.id] {
            clicked.start();
            broker->answer(id, ApprovalChoice::AllowOnce, QStringLiteral("bench"));
        });
    });
    std::vector<double> ms;
    int failures = 0;
    for (int i = 0; i <= rounds; ++i) { // round 0 warms up (the sandbox starts)
        bool done = false;
        QEventLoop loop;      // the app's blocking event loop, not a polling one
        clicked.invalidate(); // a call answered without a click is a failure, not a figure
        // Different arguments each round: each is a call of its own, asked about anew.
        agent.callTool(QStringLiteral("get_usage"),
                       {{QStringLiteral("month"),
                         QStringLiteral("%1-%2").arg(2000 + i / 12).arg(i % 12 + 1, 2, 10, QChar(u'0'))}},
                       [&](const QJsonObject& response) {
                           const double elapsed = clicked.nsecsElapsed() / 1e6;
                           done = true;
                           loop.quit();
                           if (response.contains(QStringLiteral("error")) || !clicked.isValid() ||
                               response[QStringLiteral("result")][QStringLiteral("isError")].toBool()) {
                               ++failures;
                               return;
                           }
                           if (i > 0)
                               ms.push_back(elapsed);
                       });
        QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
        if (!done)
            loop.exec();
        if (!done) {
            std::fprintf(stderr, "round %d: no answer within 30 s\n", i);
            return 1;
        }
    }
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms.empty() ? 0 : ms[std::min(ms.size() - 1, size_t(q * ms.size()))]; };
    std::printf(
        "approval answered -> agent's result, on the line (%zu rounds, Rolli sandbox over stdio, "
        "approvals in SQLite, audit on): p50 %.2f ms, p99 %.2f ms, longest %.2f ms (goal: under 50 ms)%s\n",
        ms.size(), at(0.5), at(0.99), ms.empty() ? 0 : ms.back(),
        failures ? qPrintable(QStringLiteral("; %1 failed").arg(failures)) : "");
    proxy.stop();
    return failures == 0 ? 0 : 1;
}
