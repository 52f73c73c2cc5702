// SPDX-License-Identifier: GPL-3.0-or-later
// The proxy core in process: a client session, its call gate and the upstream, over a fake transport
// whose server the test scripts message by message. The races that end-to-end runs cannot time (a
// cancel crossing a person's answer, a server dying mid-call) are driven here one step at a time.
#include "RateWindow.h"
#include "approvals/ApprovalBroker.h"
#include "counters/InMemoryCounterStore.h"
#include "mcp/JsonRpc.h"
#include "policy/PolicyParser.h"
#include "proxy/CallGate.h"
#include "proxy/ClientSession.h"
#include "proxy/PolicyGate.h"
#include "proxy/Upstream.h"
#include "proxy/UpstreamTransport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

using namespace gatehouse;

namespace {

// A shared (stdio-like) upstream that answers initialize by itself and either runs tools/call at once
// ("ran TOOL") or keeps them for the test to answer.
class FakeServer : public UpstreamTransport
{
    Q_OBJECT
public:
    void start() override
    {
        m_ready = true;
        QTimer::singleShot(0, this, [this] { emit ready(); });
    }
    void stop() override { m_ready = false; }
    bool isReady() const override { return m_ready; }
    bool isShared() const override { return true; }
    QString describe() const override { return QStringLiteral("fake"); }
    void send(const QJsonObject& message) override
    {
        received.append(message);
        const QString method = message.value(QStringLiteral("method")).toString();
        const QJsonValue id = message.value(QStringLiteral("id"));
        if (method == u"initialize") {
            reply(jsonrpc::makeResult(
                id, {{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
                     {QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("tools"), QJsonObject()}}},
                     {QStringLiteral("serverInfo"),
                      QJsonObject{{QStringLiteral("name"), QStringLiteral("fake")},
                                  {QStringLiteral("version"), QStringLiteral("1")}}}}));
        } else if (method == u"tools/call") {
            if (holdCalls)
                held.append(message);
            else
                reply(ran(message));
        }
    }

    static QJsonObject ran(const QJsonObject& call)
    {
        const QString tool = call.value(QStringLiteral("params"))[QStringLiteral("name")].toString();
        return jsonrpc::makeResult(
            call.value(QStringLiteral("id")),
            {{QStringLiteral("content"),
              QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                     {QStringLiteral("text"), QString(QStringLiteral("ran ") + tool)}}}}});
    }
    void reply(const QJsonObject& message)
    {
        QTimer::singleShot(0, this, [this, message] { emit messageReceived(message); });
    }
    void die(const QString& reason)
    {
        m_ready = false;
        emit lost(reason);
    }
    int callsOf(const QString& tool) const
    {
        int n = 0;
        for (const QJsonObject& m : received)
            n += m.value(QStringLiteral("method")).toString() == u"tools/call" &&
                 m.value(QStringLiteral("params"))[QStringLiteral("name")].toString() == tool;
        return n;
    }

    QList<QJsonObject> received;
    QList<QJsonObject> held;
    bool holdCalls = false;

private:
    bool m_ready = false;
};

// The test policy with approval settings of its own.
QByteArray policyWith(const QByteArray& approval)
{
    return R"({"version": "1", "default": "deny", "approval": )" + approval +
           R"(, "tools": {"free": {}, "asks": {"action": "approve"}}})";
}

const QByteArray TestPolicy = R"({
  "version": "1",
  "default": "deny",
  "tools": {
    "free": {},
    "blocked": {"action": "deny", "on_deny": "Not here."},
    "asks": {"action": "approve"},
    "once": {"limits": [{"counter": "once", "window": "hour", "max": 1}]}
  }
})";

QJsonObject call(int id, const QString& tool, const QJsonObject& args = {})
{
    return jsonrpc::makeRequest(id, QStringLiteral("tools/call"),
                                {{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), args}});
}

QJsonObject cancelled(int id)
{
    return jsonrpc::makeNotification(
        QStringLiteral("notifications/cancelled"),
        {{QStringLiteral("requestId"), id}, {QStringLiteral("reason"), QStringLiteral("user")}});
}

} // namespace

class TestCallPipeline : public QObject
{
    Q_OBJECT

    // One proxy: its policy, its broker, one upstream over a fake server, one client session.
    struct Rig
    {
        ApprovalBroker broker;
        PolicyGate gate{
            std::make_shared<GateContext>(GateContext{std::make_shared<InMemoryCounterStore>(), &broker})};
        FakeServer* server = new FakeServer;
        Upstream upstream{QStringLiteral("fake"), std::unique_ptr<UpstreamTransport>(server)};
        QList<QJsonObject> toClient; // before the session: it records its last calls as it goes
        QList<CallRecord> finished;
        std::unique_ptr<ClientSession> session;

        explicit Rig(const QJsonObject& clientCapabilities = {}, const QByteArray& policy = TestPolicy,
                     const QString& approvalsFile = {})
        {
            QString why;
            if (!approvalsFile.isEmpty() && !broker.open(approvalsFile, &why))
                qWarning() << "approvals file refused:" << why; // the test checks what follows
            const PolicyLoad load = PolicyParser::parse(policy);
            if (!load.policy)
                qFatal("test policy invalid");
            gate.setPolicy(std::make_shared<const Policy>(*load.policy));
            QObject::connect(&gate, &PolicyGate::callFinished, &gate,
                             [this](const CallRecord& r) { finished.append(r); });
            upstream.start();
            session = std::make_unique<ClientSession>(QStringLiteral("s1"), QStringLiteral("alice"),
                                                      &upstream, &gate);
            QObject::connect(session.get(), &ClientSession::outgoing, session.get(),
                             [this](const QJsonObject& m, const QJsonValue&) { toClient.append(m); });
            session->receive(
                jsonrpc::makeRequest(0, QStringLiteral("initialize"),
                                     {{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
                                      {QStringLiteral("capabilities"), clientCapabilities},
                                      {QStringLiteral("clientInfo"),
                                       QJsonObject{{QStringLiteral("name"), QStringLiteral("test")},
                                                   {QStringLiteral("version"), QStringLiteral("1")}}}}));
            QTRY_VERIFY(responseTo(0));
        }
        std::optional<QJsonObject> responseTo(int id) const
        {
            for (const QJsonObject& m : toClient)
                if (m.contains(QStringLiteral("id")) && !m.contains(QStringLiteral("method")) &&
                    m.value(QStringLiteral("id")).toInt(-1) == id)
                    return m;
            return std::nullopt;
        }
        int responsesTo(int id) const
        {
            int n = 0;
            for (const QJsonObject& m : toClient)
                n += !m.contains(QStringLiteral("method")) && m.value(QStringLiteral("id")).toInt(-1) == id;
            return n;
        }
        QString pendingId() const
        {
            const QList<ApprovalRequest> p = broker.pending();
            return p.isEmpty() ? QString() : p.first().id;
        }
    };

    static QString text(const QJsonObject& response)
    {
        return response.value(QStringLiteral("result"))[QStringLiteral("content")][0][QStringLiteral("text")]
            .toString();
    }

private slots:
    void allowedCallRunsOnceAndIsRecorded()
    {
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("free")));
        QTRY_VERIFY(rig.responseTo(1));
        QCOMPARE(text(*rig.responseTo(1)), QStringLiteral("ran free"));
        QCOMPARE(rig.server->callsOf(QStringLiteral("free")), 1);
        QCOMPARE(rig.finished.size(), 1);
        QCOMPARE(rig.finished[0].outcome, CallRecord::Outcome::Answered);
        QCOMPARE(rig.finished[0].verdict, Verdict::Allowed);
        QCOMPARE(rig.finished[0].client, QStringLiteral("test 1"));
    }

    void refusedCallNeverReachesTheServer()
    {
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("blocked")));
        QTRY_VERIFY(rig.responseTo(1));
        QVERIFY(rig.responseTo(1)->value(QStringLiteral("result"))[QStringLiteral("isError")].toBool());
        QVERIFY(text(*rig.responseTo(1)).contains(QStringLiteral("Not here.")));
        QCOMPARE(rig.server->callsOf(QStringLiteral("blocked")), 0);
        QCOMPARE(rig.finished.size(), 1);
        QCOMPARE(rig.finished[0].outcome, CallRecord::Outcome::Refused);
    }

    void personAllowsOnce()
    {
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("asks"), {{QStringLiteral("x"), 1}}));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 0);
        QVERIFY(rig.broker.answer(rig.pendingId(), ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QTRY_VERIFY(rig.responseTo(1));
        QCOMPARE(text(*rig.responseTo(1)), QStringLiteral("ran asks"));
        QCOMPARE(rig.finished.last().approver, QStringLiteral("tester"));
        // Once means once: the next identical call asks again.
        rig.session->receive(call(2, QStringLiteral("asks"), {{QStringLiteral("x"), 1}}));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
    }

    void allowedForTheSessionAsksNoMore()
    {
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        QVERIFY(
            rig.broker.answer(rig.pendingId(), ApprovalChoice::AllowForSession, QStringLiteral("tester")));
        QTRY_VERIFY(rig.responseTo(1));
        rig.session->receive(call(2, QStringLiteral("asks")));
        QTRY_VERIFY(rig.responseTo(2));
        QCOMPARE(rig.broker.pendingCount(), 0);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 2);
        QCOMPARE(rig.finished.last().approver, QStringLiteral("(allowed for this session)"));
    }

    void cancelBeforeThePersonAnswersWithdrawsTheQuestion()
    {
        Rig rig({}, policyWith(R"({"on_cancel": "withdraw"})"));
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        const QString id = rig.pendingId();
        rig.session->receive(cancelled(1));
        QCOMPARE(rig.broker.pendingCount(), 0);
        // The person's answer arrives after the cancel: it finds nothing and runs nothing.
        QVERIFY(!rig.broker.answer(id, ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QTest::qWait(50);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 0);
        QCOMPARE(rig.responsesTo(1), 0); // a cancelled request is owed no response
        QCOMPARE(rig.finished.size(), 1);
        QCOMPARE(rig.finished[0].outcome, CallRecord::Outcome::Cancelled);
    }

    void cancelKeepsTheApprovalForTheRetry()
    {
        // By default a person still decides after the client gave up; the agent's retry gets the answer.
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("asks"), {{QStringLiteral("x"), 1}}));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        const QString id = rig.pendingId();
        rig.session->receive(cancelled(1));
        QCOMPARE(rig.broker.pendingCount(), 1);
        QCOMPARE(rig.broker.waiting(id), 0);
        QCOMPARE(rig.finished.size(), 1);
        QCOMPARE(rig.finished[0].outcome, CallRecord::Outcome::Cancelled);
        QVERIFY(rig.finished[0].message.contains(id));
        QVERIFY(rig.broker.answer(id, ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QTest::qWait(20);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 0); // nobody called: nothing runs
        rig.session->receive(call(2, QStringLiteral("asks"), {{QStringLiteral("x"), 1}}));
        QTRY_VERIFY(rig.responseTo(2));
        QCOMPARE(text(*rig.responseTo(2)), QStringLiteral("ran asks"));
        QCOMPARE(rig.finished.last().approver, QStringLiteral("tester"));
        QCOMPARE(rig.broker.pendingCount(), 0);
        // Used once: the same call again is a new question.
        rig.session->receive(call(3, QStringLiteral("asks"), {{QStringLiteral("x"), 1}}));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        QVERIFY(rig.pendingId() != id);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 1);
    }

    void agentIsToldToCallAgainAfterTheHold()
    {
        Rig rig({}, policyWith(R"({"hold_seconds": 1})"));
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        const QString id = rig.pendingId();
        QVERIFY(!rig.responseTo(1));
        QTRY_VERIFY_WITH_TIMEOUT(rig.responseTo(1), 5000);
        const QJsonObject result = rig.responseTo(1)->value(QStringLiteral("result")).toObject();
        QVERIFY(result.value(QStringLiteral("isError")).toBool());
        QVERIFY(text(*rig.responseTo(1)).contains(id));
        const QJsonObject meta =
            result[QStringLiteral("_meta")][QStringLiteral("gatehouse/approval")].toObject();
        QCOMPARE(meta.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(meta.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
        QVERIFY(meta.value(QStringLiteral("retryAfterSeconds")).toInt() > 0);
        QCOMPARE(rig.finished.last().outcome, CallRecord::Outcome::Deferred);
        QCOMPARE(rig.broker.pendingCount(), 1); // still the person's to decide
        QCOMPARE(rig.broker.waiting(id), 0);
        // The retry while it is pending waits on the line again, for the same approval.
        rig.session->receive(call(2, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.waiting(id), 1);
        QCOMPARE(rig.broker.pendingCount(), 1);
        QVERIFY(rig.broker.answer(id, ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QTRY_VERIFY(rig.responseTo(2));
        QCOMPARE(text(*rig.responseTo(2)), QStringLiteral("ran asks"));
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 1);
        QCOMPARE(rig.responsesTo(1), 1);
    }

    void rejectedCallIsRefusedOnRetryWithoutAsking()
    {
        Rig rig({}, policyWith(R"({"hold_seconds": 0})"));
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_VERIFY(rig.responseTo(1)); // told to call again at once
        QVERIFY(rig.broker.answer(rig.pendingId(), ApprovalChoice::Deny, QStringLiteral("tester"),
                                  QStringLiteral("not today")));
        QSignalSpy asked(&rig.broker, &ApprovalBroker::requested);
        rig.session->receive(call(2, QStringLiteral("asks")));
        QTRY_VERIFY(rig.responseTo(2));
        QVERIFY(text(*rig.responseTo(2)).contains(QStringLiteral("not today")));
        QCOMPARE(asked.size(), 0);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 0);
    }

    void racingRetriesAfterApprovalRunOnce()
    {
        Rig rig({}, policyWith(R"({"hold_seconds": 0})"));
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_VERIFY(rig.responseTo(1));
        QVERIFY(rig.broker.answer(rig.pendingId(), ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        // Two retries of the same call in the same moment: one runs, the other is a new question.
        rig.session->receive(call(2, QStringLiteral("asks")));
        rig.session->receive(call(3, QStringLiteral("asks")));
        QTRY_VERIFY(rig.responseTo(2) || rig.responseTo(3));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        QTest::qWait(50);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 1);
        const bool secondRan = rig.responseTo(2) && text(*rig.responseTo(2)) == u"ran asks";
        const bool thirdRan = rig.responseTo(3) && text(*rig.responseTo(3)) == u"ran asks";
        QVERIFY(secondRan != thirdRan);
    }

    void identicalCallsOnTheLineShareOneApprovalAndRunOnce()
    {
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("asks")));
        rig.session->receive(call(2, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.waiting(rig.pendingId()), 2);
        const QString first = rig.pendingId();
        QVERIFY(rig.broker.answer(first, ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QTRY_VERIFY(rig.responseTo(1));
        QCOMPARE(text(*rig.responseTo(1)), QStringLiteral("ran asks"));
        // The other call is asked about on its own; it has not run.
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        QVERIFY(rig.pendingId() != first);
        QCOMPARE(rig.broker.waiting(rig.pendingId()), 1);
        QVERIFY(!rig.responseTo(2));
        QVERIFY(rig.broker.answer(rig.pendingId(), ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QTRY_VERIFY(rig.responseTo(2));
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 2);
    }

    void approvalsOutliveARestart()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("approvals.sqlite"));
        QString id;
        QDateTime deadline;
        {
            Rig before({}, policyWith(R"({"hold_seconds": 0, "timeout_seconds": 3600})"), file);
            before.session->receive(call(1, QStringLiteral("asks"), {{QStringLiteral("n"), 7}}));
            QTRY_VERIFY(before.responseTo(1));
            id = before.pendingId();
            QVERIFY(!id.isEmpty());
            deadline = before.broker.request(id)->deadline;
        }
        Rig after({}, policyWith(R"({"hold_seconds": 0, "timeout_seconds": 3600})"), file);
        QCOMPARE(after.broker.pendingCount(), 1);
        QCOMPARE(after.pendingId(), id);
        const ApprovalRequest r = *after.broker.request(id);
        QCOMPARE(r.tool, QStringLiteral("asks"));
        QCOMPARE(r.arguments.value(QStringLiteral("n")).toInt(), 7);
        QCOMPARE(r.deadline, deadline); // its countdown ran on; a restart gives it no more time
        QVERIFY(after.broker.answer(id, ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        after.session->receive(call(2, QStringLiteral("asks"), {{QStringLiteral("n"), 7}}));
        QTRY_VERIFY(after.responseTo(2));
        QCOMPARE(text(*after.responseTo(2)), QStringLiteral("ran asks"));
        // Different arguments are another call.
        after.session->receive(call(3, QStringLiteral("asks"), {{QStringLiteral("n"), 8}}));
        QTRY_VERIFY(after.responseTo(3));
        QCOMPARE(after.server->callsOf(QStringLiteral("asks")), 1);
        QCOMPARE(after.broker.pendingCount(), 1);
    }

    void anAllowanceKeepsAcrossARestartAndRunsOnce()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("approvals.sqlite"));
        const QByteArray policy = policyWith(R"({"hold_seconds": 0})");
        {
            Rig before({}, policy, file);
            before.session->receive(call(1, QStringLiteral("asks")));
            QTRY_VERIFY(before.responseTo(1));
            QVERIFY(before.broker.answer(before.pendingId(), ApprovalChoice::AllowOnce,
                                         QStringLiteral("tester")));
        }
        {
            Rig after({}, policy, file);
            QCOMPARE(after.broker.pendingCount(), 0);
            after.session->receive(call(2, QStringLiteral("asks")));
            QTRY_VERIFY(after.responseTo(2));
            QCOMPARE(text(*after.responseTo(2)), QStringLiteral("ran asks"));
        }
        // Used before this restart: the same call again is a new question, and does not run.
        Rig again({}, policy, file);
        again.session->receive(call(3, QStringLiteral("asks")));
        QTRY_VERIFY(again.responseTo(3));
        QVERIFY(text(*again.responseTo(3)).startsWith(QStringLiteral("Waiting for approval")));
        QCOMPARE(again.server->callsOf(QStringLiteral("asks")), 0);
        QCOMPARE(again.broker.pendingCount(), 1);
    }

    void allowForSessionLetsTheOtherWaitingCallThrough()
    {
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("asks")));
        rig.session->receive(call(2, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.waiting(rig.pendingId()), 2);
        QSignalSpy asked(&rig.broker, &ApprovalBroker::requested);
        QVERIFY(
            rig.broker.answer(rig.pendingId(), ApprovalChoice::AllowForSession, QStringLiteral("tester")));
        QTRY_VERIFY(rig.responseTo(1) && rig.responseTo(2));
        QCOMPARE(text(*rig.responseTo(2)), QStringLiteral("ran asks"));
        QCOMPARE(asked.size(), 0); // nobody is asked again
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 2);
    }

    void unusableApprovalsFileFailsClosed()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("not-a-folder")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        Rig rig({}, TestPolicy, blocker.fileName() + QStringLiteral("/approvals.sqlite"));
        QVERIFY(!rig.broker.failure().isEmpty());
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_VERIFY(rig.responseTo(1));
        QVERIFY(text(*rig.responseTo(1)).contains(QStringLiteral("cannot record approvals")));
        QCOMPARE(rig.finished.last().rule, QStringLiteral("(approvals unavailable)"));
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 0);
        rig.session->receive(call(2, QStringLiteral("free")));
        QTRY_VERIFY(rig.responseTo(2));
        QCOMPARE(text(*rig.responseTo(2)), QStringLiteral("ran free")); // the rest is served
    }

    void progressWhileWaitingStopsWhenTheClientCancels()
    {
        Rig rig;
        QJsonObject asks = call(1, QStringLiteral("asks"));
        QJsonObject params = asks.value(QStringLiteral("params")).toObject();
        params.insert(QStringLiteral("_meta"),
                      QJsonObject{{QStringLiteral("progressToken"), QStringLiteral("p1")}});
        asks.insert(QStringLiteral("params"), params);
        rig.session->receive(asks);
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        auto progress = [&rig] {
            int n = 0;
            for (const QJsonObject& m : rig.toClient)
                n += m.value(QStringLiteral("method")).toString() == u"notifications/progress";
            return n;
        };
        QCOMPARE(progress(), 1); // at once, then every few seconds while a person decides
        rig.session->receive(cancelled(1));
        // Longer than the interval: nothing more for a call nobody waits for.
        QTest::qWait(CallGate::ProgressIntervalMs + 500);
        QCOMPARE(progress(), 1);
    }

    void cancelJustAfterThePersonAllowedCancelsUpstream()
    {
        Rig rig;
        rig.server->holdCalls = true;
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        // Same turn of the event loop: allowed, then the client's cancel crosses it.
        QVERIFY(rig.broker.answer(rig.pendingId(), ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        rig.session->receive(cancelled(1));
        QTRY_COMPARE(rig.finished.size(), 1);
        QCOMPARE(rig.finished[0].outcome, CallRecord::Outcome::Cancelled);
        // The call went out and its cancellation followed it, with the upstream's own id.
        QCOMPARE(rig.server->held.size(), 1);
        const QJsonValue upstreamId = rig.server->held[0].value(QStringLiteral("id"));
        bool cancelSent = false;
        for (const QJsonObject& m : rig.server->received)
            cancelSent |= m.value(QStringLiteral("method")).toString() == u"notifications/cancelled" &&
                          m.value(QStringLiteral("params"))[QStringLiteral("requestId")] == upstreamId;
        QVERIFY(cancelSent);
        // The server answers anyway: the client, which cancelled, hears nothing.
        rig.server->reply(FakeServer::ran(rig.server->held[0]));
        QTest::qWait(50);
        QCOMPARE(rig.responsesTo(1), 0);
    }

    void sameIdWhileInFlightIsRefusedAndAfterwardsIsANewCall()
    {
        Rig rig;
        rig.server->holdCalls = true;
        rig.session->receive(call(7, QStringLiteral("free")));
        QTRY_COMPARE(rig.server->held.size(), 1);
        rig.session->receive(call(7, QStringLiteral("free")));
        QTRY_VERIFY(rig.responseTo(7));
        QCOMPARE(rig.responseTo(7)->value(QStringLiteral("error"))[QStringLiteral("code")].toInt(),
                 int(jsonrpc::InvalidRequest));
        QCOMPARE(rig.server->held.size(), 1);
        rig.server->reply(FakeServer::ran(rig.server->held[0]));
        QTRY_COMPARE(rig.responsesTo(7), 2);
        // Completed: the id may be used again, and is a call of its own.
        rig.toClient.clear();
        rig.session->receive(call(7, QStringLiteral("free")));
        QTRY_COMPARE(rig.server->held.size(), 2);
        rig.server->reply(FakeServer::ran(rig.server->held[1]));
        QTRY_COMPARE(rig.responsesTo(7), 1);
        QCOMPARE(text(*rig.responseTo(7)), QStringLiteral("ran free"));
    }

    void serverDyingMidCallFailsItAndGivesTheQuotaBack()
    {
        waitForWindowRoom(3600, 10);
        Rig rig;
        rig.server->holdCalls = true;
        rig.session->receive(call(1, QStringLiteral("once")));
        QTRY_COMPARE(rig.server->held.size(), 1);
        rig.server->die(QStringLiteral("exited with code 1"));
        QTRY_VERIFY(rig.responseTo(1));
        QVERIFY(
            rig.responseTo(1)->value(QStringLiteral("error"))[QStringLiteral("message")].toString().contains(
                QStringLiteral("exited with code 1")));
        QCOMPARE(rig.finished.size(), 1);
        QCOMPARE(rig.finished[0].outcome, CallRecord::Outcome::Failed);
        // It came back: initialized again, and the one call an hour that never ran may run.
        rig.server->holdCalls = false;
        rig.server->start();
        rig.session->receive(call(2, QStringLiteral("once")));
        QTRY_VERIFY(rig.responseTo(2));
        QCOMPARE(text(*rig.responseTo(2)), QStringLiteral("ran once"));
        // That one ran: the quota is spent.
        rig.session->receive(call(3, QStringLiteral("once")));
        QTRY_VERIFY(rig.responseTo(3));
        QVERIFY(rig.responseTo(3)->value(QStringLiteral("result"))[QStringLiteral("isError")].toBool());
        QCOMPARE(rig.finished.last().verdict, Verdict::Limited);
    }

    void sessionEndingWhileAPersonDecidesRecordsItCancelled()
    {
        Rig rig({}, policyWith(R"({"on_cancel": "withdraw"})"));
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        const QString id = rig.pendingId();
        rig.session.reset();
        QCOMPARE(rig.broker.pendingCount(), 0);
        QVERIFY(!rig.broker.answer(id, ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QCOMPARE(rig.finished.size(), 1);
        QCOMPARE(rig.finished[0].outcome, CallRecord::Outcome::Cancelled);
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 0);
    }

    void serverStoppedWhileAPersonDecidesFailsAtOnce()
    {
        Rig rig;
        rig.session->receive(call(1, QStringLiteral("asks")));
        QTRY_COMPARE(rig.broker.pendingCount(), 1);
        rig.upstream.stop(QStringLiteral("stopped by a person"));
        QVERIFY(rig.broker.answer(rig.pendingId(), ApprovalChoice::AllowOnce, QStringLiteral("tester")));
        QTRY_VERIFY(rig.responseTo(1));
        QVERIFY(rig.responseTo(1)->contains(QStringLiteral("error")));
        QCOMPARE(rig.server->callsOf(QStringLiteral("asks")), 0);
        QCOMPARE(rig.finished.last().outcome, CallRecord::Outcome::Failed);
    }

    void serverRequestsNeedTheClientsCapability_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("capability");
        QTest::newRow("roots") << QStringLiteral("roots/list") << QStringLiteral("roots");
        QTest::newRow("sampling") << QStringLiteral("sampling/createMessage") << QStringLiteral("sampling");
        QTest::newRow("elicitation") << QStringLiteral("elicitation/create") << QStringLiteral("elicitation");
    }

    void serverRequestsNeedTheClientsCapability()
    {
        QFETCH(QString, method);
        QFETCH(QString, capability);
        for (const bool declared : {false, true}) {
            Rig rig(declared ? QJsonObject{{capability, QJsonObject()}} : QJsonObject());
            rig.server->holdCalls = true;
            rig.session->receive(call(1, QStringLiteral("free")));
            QTRY_COMPARE(rig.server->held.size(), 1);
            rig.server->reply(jsonrpc::makeRequest(900, method, {}));
            QTest::qWait(50);
            bool askedClient = false;
            for (const QJsonObject& m : rig.toClient)
                askedClient |= m.value(QStringLiteral("method")).toString() == method;
            QCOMPARE(askedClient, declared);
            if (declared)
                continue;
            // Answered for the client that cannot: method not found, to the server's own id.
            const QJsonObject answer = rig.server->received.last();
            QCOMPARE(answer.value(QStringLiteral("id")).toInt(), 900);
            QCOMPARE(answer.value(QStringLiteral("error"))[QStringLiteral("code")].toInt(),
                     int(jsonrpc::MethodNotFound));
        }
    }
};

QTEST_GUILESS_MAIN(TestCallPipeline)
#include "tst_callpipeline.moc"
