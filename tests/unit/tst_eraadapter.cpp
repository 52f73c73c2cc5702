// SPDX-License-Identifier: GPL-3.0-or-later
// EraAdapter in process, over a transport whose server the test plays message by message: which era it
// settles on (and when it falls back), and how the stateless era is translated for a session of the
// session era: server/discover for initialize, the era's _meta, input-required rounds with their retries
// and cancellations, and list changes from subscriptions/listen.
#include "mcp/JsonRpc.h"
#include "mcp/StatelessEra.h"
#include "proxy/EraAdapter.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QtTest>

using namespace gatehouse;

namespace {

const QString Meta = QStringLiteral("_meta");
const QString VersionKey = stateless::MetaPrefix + QStringLiteral("protocolVersion");

// Records what it is sent; the test answers through reply().
class ScriptedServer : public UpstreamTransport
{
    Q_OBJECT
public:
    void start() override
    {
        m_ready = true;
        emit ready();
    }
    void stop() override { m_ready = false; }
    bool isReady() const override { return m_ready; }
    bool isShared() const override { return false; }
    QString describe() const override { return QStringLiteral("scripted"); }
    void send(const QJsonObject& message) override { sent.append(message); }

    void reply(const QJsonObject& message, const QJsonValue& related = QJsonValue(QJsonValue::Undefined))
    {
        emit messageReceived(message, related);
    }
    QJsonObject last() const { return sent.isEmpty() ? QJsonObject() : sent.last(); }
    QString lastMethod() const { return last().value(QStringLiteral("method")).toString(); }

    QList<QJsonObject> sent;

private:
    bool m_ready = false;
};

QJsonObject initialize(int id)
{
    return jsonrpc::makeRequest(
        id, QStringLiteral("initialize"),
        {{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
         {QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("elicitation"), QJsonObject()}}},
         {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), QStringLiteral("test-client")},
                                                    {QStringLiteral("version"), QStringLiteral("1")}}}});
}

QJsonObject discovered(bool listChanged = false)
{
    return {
        {QStringLiteral("supportedVersions"), QJsonArray{QLatin1String(stateless::Version)}},
        {QStringLiteral("capabilities"),
         QJsonObject{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), listChanged}}}}},
        {Meta, QJsonObject{{stateless::MetaPrefix + QStringLiteral("serverInfo"),
                            QJsonObject{{QStringLiteral("name"), QStringLiteral("modern")},
                                        {QStringLiteral("version"), QStringLiteral("2")}}}}}};
}

QJsonObject call(int id, const QString& tool)
{
    return jsonrpc::makeRequest(
        id, QStringLiteral("tools/call"),
        {{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), QJsonObject()}});
}

QJsonObject eraError(const QJsonValue& id)
{
    return jsonrpc::makeError(id, -32022, QStringLiteral("Unsupported protocol version"));
}

struct Fixture
{
    explicit Fixture(EraAdapter::Prefer prefer, EraAdapter::Fallback legacy = {})
    {
        auto owned = std::make_unique<ScriptedServer>();
        server = owned.get();
        adapter = std::make_unique<EraAdapter>(std::move(owned), prefer, std::move(legacy));
        QObject::connect(adapter.get(), &UpstreamTransport::messageReceived,
                         [this](const QJsonObject& m, const QJsonValue& related) {
                             received.append(m);
                             relatedTo.append(related);
                         });
        adapter->start();
    }
    // Negotiated into the stateless era: initialize refused with -32022, then discovered.
    void makeStateless(bool listChanged = false)
    {
        adapter->send(initialize(1));
        server->reply(eraError(1));
        server->reply(
            jsonrpc::makeResult(server->last().value(QStringLiteral("id")), discovered(listChanged)));
    }

    ScriptedServer* server = nullptr;
    std::unique_ptr<EraAdapter> adapter;
    QList<QJsonObject> received;
    QList<QJsonValue> relatedTo;
};

} // namespace

class TestEraAdapter : public QObject
{
    Q_OBJECT
private slots:
    void theSessionEraPassesThrough()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.adapter->send(initialize(1));
        QCOMPARE(f.server->lastMethod(), QStringLiteral("initialize"));
        f.server->reply(
            jsonrpc::makeResult(1, {{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")}}));
        QCOMPARE(f.adapter->era(), EraAdapter::Era::Session);
        QCOMPARE(f.received.size(), 1);
        QCOMPARE(f.received[0].value(QStringLiteral("id")).toInt(), 1);
        // A stateless client's request keeps its era's _meta up to here; a session-era server never sees it.
        QJsonObject request = call(2, QStringLiteral("echo"));
        QJsonObject params = request.value(QStringLiteral("params")).toObject();
        params.insert(Meta, QJsonObject{{VersionKey, QLatin1String(stateless::Version)},
                                        {QStringLiteral("progressToken"), 5}});
        request.insert(QStringLiteral("params"), params);
        f.adapter->send(request);
        const QJsonObject meta = f.server->last().value(QStringLiteral("params"))[Meta].toObject();
        QVERIFY(!meta.contains(VersionKey));
        QCOMPARE(meta.value(QStringLiteral("progressToken")).toInt(), 5);
        f.server->reply(jsonrpc::makeResult(2, {{QStringLiteral("content"), QJsonArray()}}));
        QCOMPARE(f.received.last().value(QStringLiteral("id")).toInt(), 2);
    }

    void anEraErrorAtInitializeMeansDiscover()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.adapter->send(initialize(1));
        f.server->reply(eraError(1));
        QCOMPARE(f.server->lastMethod(), QStringLiteral("server/discover"));
        const QJsonObject meta = f.server->last().value(QStringLiteral("params"))[Meta].toObject();
        QCOMPARE(meta.value(VersionKey).toString(), QLatin1String(stateless::Version));
        QVERIFY(meta.value(stateless::MetaPrefix + QStringLiteral("clientCapabilities"))
                    .toObject()
                    .contains(QStringLiteral("elicitation")));
        QVERIFY(f.received.isEmpty()); // the -32022 stays with the adapter
        f.server->reply(jsonrpc::makeResult(f.server->last().value(QStringLiteral("id")), discovered()));
        QCOMPARE(f.adapter->era(), EraAdapter::Era::Stateless);
        QCOMPARE(f.received.size(), 1);
        const QJsonObject result = f.received[0].value(QStringLiteral("result")).toObject();
        QCOMPARE(f.received[0].value(QStringLiteral("id")).toInt(), 1);
        QCOMPARE(result.value(QStringLiteral("protocolVersion")).toString(), QStringLiteral("2025-06-18"));
        QCOMPARE(result.value(QStringLiteral("serverInfo"))[QStringLiteral("name")].toString(),
                 QStringLiteral("modern"));

        // The era has no handshake notification; requests carry its _meta.
        const qsizetype before = f.server->sent.size();
        f.adapter->send(jsonrpc::makeNotification(QStringLiteral("notifications/initialized"), {}));
        QCOMPARE(f.server->sent.size(), before);
        f.adapter->send(call(2, QStringLiteral("echo")));
        QCOMPARE(f.server->last().value(QStringLiteral("params"))[Meta][VersionKey].toString(),
                 QLatin1String(stateless::Version));
    }

    void preferringTheStatelessEraFallsBackToInitialize()
    {
        Fixture f(EraAdapter::Prefer::Stateless);
        f.adapter->send(initialize(1));
        QCOMPARE(f.server->lastMethod(), QStringLiteral("server/discover"));
        // A session-era server refuses it (SDK 1.x: 400, no session id).
        f.server->reply(jsonrpc::makeError(f.server->last().value(QStringLiteral("id")), -32000,
                                           QStringLiteral("Bad Request: No valid session ID provided")));
        QCOMPARE(f.server->lastMethod(), QStringLiteral("initialize"));
        QVERIFY(f.received.isEmpty());
        f.server->reply(
            jsonrpc::makeResult(1, {{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")}}));
        QCOMPARE(f.adapter->era(), EraAdapter::Era::Session);
        QCOMPARE(f.received.size(), 1);
    }

    void aDiscoveryWithoutThisEraIsNotTakenForIt()
    {
        Fixture f(EraAdapter::Prefer::Stateless);
        f.adapter->send(initialize(1));
        QJsonObject other = discovered();
        other.insert(QStringLiteral("supportedVersions"), QJsonArray{QStringLiteral("2099-01-01")});
        f.server->reply(jsonrpc::makeResult(f.server->last().value(QStringLiteral("id")), other));
        QCOMPARE(f.server->lastMethod(), QStringLiteral("initialize"));
        QCOMPARE(f.adapter->era(), EraAdapter::Era::Unknown);
    }

    void aRefusedInitializeSwitchesToTheLegacyTransport()
    {
        ScriptedServer* legacy = nullptr;
        Fixture f(EraAdapter::Prefer::Session, [&legacy] {
            auto t = std::make_unique<ScriptedServer>();
            legacy = t.get();
            return t;
        });
        QSignalSpy ready(f.adapter.get(), &UpstreamTransport::ready);
        f.adapter->send(initialize(1));
        QJsonObject refused = jsonrpc::makeError(1, jsonrpc::InternalError, QStringLiteral("HTTP 405"));
        QJsonObject error = refused.value(QStringLiteral("error")).toObject();
        error.insert(QStringLiteral("data"), QJsonObject{{QStringLiteral("httpStatus"), 405}});
        refused.insert(QStringLiteral("error"), error);
        f.server->reply(refused);
        QVERIFY(legacy);
        QCOMPARE(legacy->lastMethod(), QStringLiteral("initialize"));
        QCOMPARE(ready.size(), 0); // the switch is the adapter's business
        QVERIFY(f.received.isEmpty());
        legacy->reply(
            jsonrpc::makeResult(1, {{QStringLiteral("protocolVersion"), QStringLiteral("2024-11-05")}}));
        QCOMPARE(f.received.size(), 1);
        QCOMPARE(f.adapter->era(), EraAdapter::Era::Session);
        f.adapter->send(call(2, QStringLiteral("echo")));
        QCOMPARE(legacy->lastMethod(), QStringLiteral("tools/call"));
    }

    void anInputRoundIsAskedOfTheSessionAndRetried()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.makeStateless();
        f.received.clear();
        f.relatedTo.clear();
        f.adapter->send(call(7, QStringLiteral("deploy")));
        const QJsonObject inputs{
            {QStringLiteral("confirm"),
             QJsonObject{{QStringLiteral("method"), QStringLiteral("elicitation/create")},
                         {QStringLiteral("params"),
                          QJsonObject{{QStringLiteral("message"), QStringLiteral("Sure?")}}}}},
            {QStringLiteral("where"), QJsonObject{{QStringLiteral("method"), QStringLiteral("roots/list")},
                                                  {QStringLiteral("params"), QJsonObject()}}}};
        f.server->reply(
            jsonrpc::makeResult(7, {{QStringLiteral("resultType"), QStringLiteral("input_required")},
                                    {QStringLiteral("inputRequests"), inputs},
                                    {QStringLiteral("requestState"), QStringLiteral("S1")}}));
        // Two questions for the session, related to the call, naming their inputs.
        QCOMPARE(f.received.size(), 2);
        QStringList keys;
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(f.relatedTo[i].toInt(), 7);
            keys << InputRounds::inputKeyOf(f.received[i].value(QStringLiteral("id")));
        }
        keys.sort();
        QCOMPARE(keys, (QStringList{QStringLiteral("confirm"), QStringLiteral("where")}));
        const qsizetype sentBefore = f.server->sent.size();
        f.adapter->send(
            jsonrpc::makeResult(f.received[0].value(QStringLiteral("id")), {{QStringLiteral("a"), 1}}));
        QCOMPARE(f.server->sent.size(), sentBefore); // waits for the other answer
        f.adapter->send(
            jsonrpc::makeResult(f.received[1].value(QStringLiteral("id")), {{QStringLiteral("b"), 2}}));
        const QJsonObject retry = f.server->last();
        QCOMPARE(retry.value(QStringLiteral("method")).toString(), QStringLiteral("tools/call"));
        QVERIFY(retry.value(QStringLiteral("id")).toString().startsWith(QLatin1String("gh-retry-")));
        const QJsonObject params = retry.value(QStringLiteral("params")).toObject();
        QCOMPARE(params.value(QStringLiteral("requestState")).toString(), QStringLiteral("S1"));
        QCOMPARE(params.value(QStringLiteral("inputResponses")).toObject().keys(), keys);
        QCOMPARE(params.value(Meta)[VersionKey].toString(), QLatin1String(stateless::Version));

        // Its progress and its answer are the call's.
        f.server->reply(jsonrpc::makeNotification(QStringLiteral("notifications/progress"),
                                                  {{QStringLiteral("progressToken"), 1}}),
                        retry.value(QStringLiteral("id")));
        QCOMPARE(f.relatedTo.last().toInt(), 7);
        f.server->reply(jsonrpc::makeResult(retry.value(QStringLiteral("id")),
                                            {{QStringLiteral("content"), QJsonArray()}}));
        QCOMPARE(f.received.last().value(QStringLiteral("id")).toInt(), 7);
        QVERIFY(f.received.last().contains(QStringLiteral("result")));
    }

    void aCancelNamesTheRetryUpstream()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.makeStateless();
        f.adapter->send(call(7, QStringLiteral("deploy")));
        f.server->reply(jsonrpc::makeResult(
            7, {{QStringLiteral("resultType"), QStringLiteral("input_required")},
                {QStringLiteral("inputRequests"),
                 QJsonObject{{QStringLiteral("ok"),
                              QJsonObject{{QStringLiteral("method"), QStringLiteral("roots/list")}}}}}}));
        f.adapter->send(jsonrpc::makeResult(f.received.last().value(QStringLiteral("id")), {}));
        const QJsonValue retryId = f.server->last().value(QStringLiteral("id"));
        f.adapter->send(jsonrpc::makeNotification(QStringLiteral("notifications/cancelled"),
                                                  {{QStringLiteral("requestId"), 7}}));
        QCOMPARE(f.server->lastMethod(), QStringLiteral("notifications/cancelled"));
        QCOMPARE(f.server->last().value(QStringLiteral("params"))[QStringLiteral("requestId")], retryId);
        // A late answer to the retry is no longer the call's.
        const qsizetype before = f.received.size();
        f.server->reply(jsonrpc::makeResult(retryId, {}));
        QCOMPARE(f.received.size(), before + 1);
        QCOMPARE(f.received.last().value(QStringLiteral("id")), retryId);
    }

    void aCancelOfACallNeverRetriedNamesIt()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.makeStateless();
        f.adapter->send(call(7, QStringLiteral("slow")));
        f.adapter->send(jsonrpc::makeNotification(QStringLiteral("notifications/cancelled"),
                                                  {{QStringLiteral("requestId"), 7}}));
        QCOMPARE(f.server->lastMethod(), QStringLiteral("notifications/cancelled"));
        const QJsonObject params = f.server->last().value(QStringLiteral("params")).toObject();
        QCOMPARE(params.value(QStringLiteral("requestId")).toInt(), 7);
        // In the era's way, so that an HTTP transport closes the call's stream instead of posting it.
        QCOMPARE(params.value(Meta)[VersionKey].toString(), QLatin1String(stateless::Version));
    }

    void aQuestionRefusedAtOnceStopsTheOthers()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.makeStateless();
        // The session refuses the first question as soon as it is asked (a capability it lacks).
        QObject::connect(f.adapter.get(), &UpstreamTransport::messageReceived, f.adapter.get(),
                         [&f](const QJsonObject& m) {
                             if (m.value(QStringLiteral("method")).toString() == u"sampling/createMessage")
                                 f.adapter->send(jsonrpc::makeError(m.value(QStringLiteral("id")),
                                                                    jsonrpc::MethodNotFound,
                                                                    QStringLiteral("no sampling")));
                         });
        f.adapter->send(call(7, QStringLiteral("deploy")));
        f.received.clear();
        f.server->reply(jsonrpc::makeResult(
            7, {{QStringLiteral("resultType"), QStringLiteral("input_required")},
                {QStringLiteral("inputRequests"),
                 QJsonObject{{QStringLiteral("a"), QJsonObject{{QStringLiteral("method"),
                                                                QStringLiteral("sampling/createMessage")}}},
                             {QStringLiteral("b"),
                              QJsonObject{{QStringLiteral("method"), QStringLiteral("roots/list")}}}}}}));
        // The question, then the call's failure; the other question is never asked.
        QCOMPARE(f.received.size(), 2);
        QCOMPARE(f.received[0].value(QStringLiteral("method")).toString(),
                 QStringLiteral("sampling/createMessage"));
        QCOMPARE(f.received[1].value(QStringLiteral("id")).toInt(), 7);
        QVERIFY(f.received[1].contains(QStringLiteral("error")));
    }

    void aLateAnswerStaysHere()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.makeStateless();
        f.adapter->send(call(7, QStringLiteral("deploy")));
        f.received.clear();
        const QJsonObject ask{{QStringLiteral("method"), QStringLiteral("roots/list")}};
        f.server->reply(
            jsonrpc::makeResult(7, {{QStringLiteral("resultType"), QStringLiteral("input_required")},
                                    {QStringLiteral("inputRequests"),
                                     QJsonObject{{QStringLiteral("a"), ask}, {QStringLiteral("b"), ask}}}}));
        QCOMPARE(f.received.size(), 2); // both asked before either is answered
        const qsizetype sentBefore = f.server->sent.size();
        f.adapter->send(jsonrpc::makeError(f.received[0].value(QStringLiteral("id")), jsonrpc::InternalError,
                                           QStringLiteral("no")));
        f.adapter->send(jsonrpc::makeResult(f.received[1].value(QStringLiteral("id")), {}));
        QCOMPARE(f.server->sent.size(), sentBefore); // the call failed; its other answer goes nowhere

        // The same after a cancel.
        f.adapter->send(call(8, QStringLiteral("deploy")));
        f.received.clear();
        f.server->reply(jsonrpc::makeResult(
            8, {{QStringLiteral("resultType"), QStringLiteral("input_required")},
                {QStringLiteral("inputRequests"), QJsonObject{{QStringLiteral("a"), ask}}}}));
        f.adapter->send(jsonrpc::makeNotification(QStringLiteral("notifications/cancelled"),
                                                  {{QStringLiteral("requestId"), 8}}));
        const qsizetype afterCancel = f.server->sent.size();
        f.adapter->send(jsonrpc::makeResult(f.received[0].value(QStringLiteral("id")), {}));
        QCOMPARE(f.server->sent.size(), afterCancel);
    }

    void aRefusedQuestionFailsTheCall()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.makeStateless();
        f.adapter->send(call(7, QStringLiteral("deploy")));
        f.server->reply(jsonrpc::makeResult(
            7, {{QStringLiteral("resultType"), QStringLiteral("input_required")},
                {QStringLiteral("inputRequests"),
                 QJsonObject{
                     {QStringLiteral("ok"),
                      QJsonObject{{QStringLiteral("method"), QStringLiteral("sampling/createMessage")}}}}}}));
        const qsizetype sentBefore = f.server->sent.size();
        f.adapter->send(jsonrpc::makeError(f.received.last().value(QStringLiteral("id")),
                                           jsonrpc::MethodNotFound, QStringLiteral("no sampling here")));
        QCOMPARE(f.server->sent.size(), sentBefore); // nothing retried
        QCOMPARE(f.received.last().value(QStringLiteral("id")).toInt(), 7);
        QCOMPARE(f.received.last().value(QStringLiteral("error"))[QStringLiteral("code")].toInt(),
                 int(jsonrpc::MethodNotFound));
    }

    void listChangesComeFromTheListenRequest()
    {
        Fixture f(EraAdapter::Prefer::Session);
        f.makeStateless(true);
        QTRY_COMPARE(f.server->lastMethod(), QStringLiteral("subscriptions/listen"));
        const QJsonValue listenId = f.server->last().value(QStringLiteral("id"));
        QVERIFY(f.server->last()
                    .value(QStringLiteral(
                        "params"))[QStringLiteral("notifications")][QStringLiteral("toolsListChanged")]
                    .toBool());
        f.received.clear();
        f.server->reply(
            jsonrpc::makeNotification(QStringLiteral("notifications/subscriptions/acknowledged"), {}));
        f.server->reply(jsonrpc::makeNotification(
            QStringLiteral("notifications/tools/list_changed"),
            {{Meta, QJsonObject{{stateless::MetaPrefix + QStringLiteral("subscriptionId"), listenId}}}}));
        QCOMPARE(f.received.size(), 1);
        QCOMPARE(f.received[0].value(QStringLiteral("method")).toString(),
                 QStringLiteral("notifications/tools/list_changed"));
        QVERIFY(!f.received[0].value(QStringLiteral("params")).toObject().contains(Meta));
        // The server ends the listen request: it is made again, and its end never reaches the session.
        f.server->sent.clear();
        f.server->reply(jsonrpc::makeError(listenId, jsonrpc::InternalError, QStringLiteral("stream ended")));
        QCOMPARE(f.received.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(f.server->lastMethod(), QStringLiteral("subscriptions/listen"), 5000);
    }
};

QTEST_GUILESS_MAIN(TestEraAdapter)
#include "tst_eraadapter.moc"
