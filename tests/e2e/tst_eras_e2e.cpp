// SPDX-License-Identifier: GPL-3.0-or-later
// Both MCP eras on one endpoint: clients of the split SDK 2.x speaking the stateless protocol
// (2026-07-28, pinned or negotiated) and of the 2025 session era reach session-era upstreams (server-
// everything over stdio and over Streamable HTTP) and a server that speaks only 2026-07-28 (SDK 2.x,
// legacy "reject") through the real proxy, and get the same policy decisions, approvals, limits,
// progress, cancellation and input requests, over HTTP and on stdio through the gatehouse connect
// bridge; plus the era's wire rules checked by hand.
#include "E2eSupport.h"

#include <QJsonArray>

using namespace e2e;

namespace {
const QByteArray Meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                        "\"io.modelcontextprotocol/clientCapabilities\":{}}";

QByteArray statelessPost(quint16 port, const QByteArray& body, const QByteArray& headers)
{
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
           "Authorization: Bearer " +
           ProxyProcess::token().toUtf8() + "\r\n" + headers +
           "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}
} // namespace

class TestErasE2E : public QObject
{
    Q_OBJECT
private:
    // client2.mjs running a scenario against the proxy, in the background: over HTTP, or (viaConnect)
    // over stdio to `gatehouse connect`, the bridge a desktop client starts.
    static void startClient2(QProcess& p, const QString& scenario, const ProxyProcess& proxy,
                             const QString& mode, bool viaConnect = false)
    {
        p.setWorkingDirectory(E2eDir);
        QStringList args{E2eDir + QStringLiteral("/client2.mjs"), scenario, QStringLiteral("--mode"), mode};
        if (viaConnect)
            args << QStringLiteral("--stdio") << Gatehouse << QStringLiteral("connect") << proxy.url()
                 << QStringLiteral("--token") << ProxyProcess::token();
        else
            args << QStringLiteral("--http") << proxy.url() << QStringLiteral("--token")
                 << ProxyProcess::token();
        p.start(Node, args);
    }

    // The same, to its end: what it printed.
    QJsonObject client2(const QString& scenario, const ProxyProcess& proxy, const QString& mode,
                        bool viaConnect = false)
    {
        QProcess p;
        startClient2(p, scenario, proxy, mode, viaConnect);
        // Keep the event loop (and so the proxy's log) going meanwhile.
        QElapsedTimer t;
        t.start();
        while (p.state() != QProcess::NotRunning && t.elapsed() < 90'000)
            QTest::qWait(20);
        return QJsonDocument::fromJson(p.readAllStandardOutput().trimmed().split('\n').last()).object();
    }

    bool startProxy(ProxyProcess& proxy, const QString& upstream)
    {
        if (upstream == u"stdio")
            return proxy.start(stdioUpstream(), {}, E2eDir + QStringLiteral("/policy-eras.json"));
        if (!m_http) {
            m_http = std::make_unique<EverythingServer>();
            if (!m_http->start(QStringLiteral("streamableHttp")))
                return false;
        }
        return proxy.start({QStringLiteral("--upstream"), m_http->url("/mcp")}, {},
                           E2eDir + QStringLiteral("/policy-eras.json"));
    }

    std::unique_ptr<EverythingServer> m_http;

private slots:
    // Its policy counts calls per day: no run may straddle midnight UTC.
    void initTestCase() { waitForWindowRoom(86400, 600); }
    void sameDecisionsInBothEras_data()
    {
        QTest::addColumn<QString>("upstream");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("era");
        for (const char* upstream : {"stdio", "http"}) {
            QTest::addRow("stateless client, %s upstream", upstream) << upstream << "modern"
                                                                     << "modern";
            QTest::addRow("negotiating client, %s upstream", upstream) << upstream << "auto"
                                                                       << "modern";
            QTest::addRow("session-era client, %s upstream", upstream) << upstream << "legacy"
                                                                       << "legacy";
        }
    }
    void sameDecisionsInBothEras()
    {
        QFETCH(QString, upstream);
        QFETCH(QString, mode);
        QFETCH(QString, era);
        ProxyProcess proxy;
        QVERIFY2(startProxy(proxy, upstream), qPrintable(proxy.log()));
        const QJsonObject run = client2(QStringLiteral("basic"), proxy, mode);
        QVERIFY2(!run.contains(u"failed"), QJsonDocument(run).toJson().constData());
        QCOMPARE(run[u"era"].toString(), era);
        QCOMPARE(run[u"version"].toString(),
                 era == u"modern" ? QStringLiteral("2026-07-28") : QStringLiteral("2025-11-25"));
        const QStringList tools = run[u"tools"].toVariant().toStringList();
        QVERIFY(tools.contains(QStringLiteral("echo")));
        QVERIFY(!tools.contains(QStringLiteral("get-env"))); // hidden
        QCOMPARE(run[u"echo"][u"result"][u"content"][0][u"text"].toString(),
                 QStringLiteral("Echo: hello from SDK 2"));
        QCOMPARE(run[u"denied"][u"result"][u"isError"].toBool(), true);
        QCOMPARE(run[u"denied"][u"result"][u"content"][0][u"text"].toString(),
                 QStringLiteral("Denied by policy: Images are not allowed in this test."));
        QCOMPARE(run[u"hidden"][u"error"][u"code"].toInt(), -32602);
        if (era == u"modern") // the era's own fields on results
            QVERIFY(run[u"echo"][u"result"][u"_meta"][u"io.modelcontextprotocol/serverInfo"].isObject());
        QVERIFY(proxy.waitForLog(
            QRegularExpression(QStringLiteral("get-tiny-image denied /tools/get-tiny-image/action")), 5000));

        // A limit of 3 a day for the session (a day, so that no window ends mid-test): for a stateless
        // client, Gatehouse's one session per grant.
        const QJsonObject limited = client2(QStringLiteral("limited"), proxy, mode);
        int allowed = 0;
        int refused = 0;
        for (const QJsonValue& r : limited[u"results"].toArray()) {
            if (r[u"result"][u"isError"].toBool())
                ++refused;
            else
                ++allowed;
        }
        // The first run used one echo of this session's budget when the client is stateless (one session
        // per grant), none when it opened a session of its own.
        QCOMPARE(allowed, era == u"modern" ? 2 : 3);
        QCOMPARE(refused, era == u"modern" ? 3 : 2);
    }

    void aServerOfTheStatelessEraOnly_data()
    {
        QTest::addColumn<QString>("upstream");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("era");
        QTest::addColumn<bool>("viaConnect");
        for (const char* upstream : {"http", "stdio"}) {
            QTest::addRow("stateless client, %s upstream", upstream) << upstream << "modern"
                                                                     << "modern" << false;
            QTest::addRow("session-era client, %s upstream", upstream) << upstream << "legacy"
                                                                       << "legacy" << false;
        }
        // A desktop client of either era on stdio, through the gatehouse connect bridge.
        QTest::newRow("stateless client on stdio, via connect") << "stdio"
                                                                << "modern"
                                                                << "modern" << true;
        QTest::newRow("negotiating client on stdio, via connect") << "http"
                                                                  << "auto"
                                                                  << "modern" << true;
        QTest::newRow("session-era client on stdio, via connect") << "stdio"
                                                                  << "legacy"
                                                                  << "legacy" << true;
    }
    void aServerOfTheStatelessEraOnly()
    {
        QFETCH(QString, upstream);
        QFETCH(QString, mode);
        QFETCH(QString, era);
        QFETCH(bool, viaConnect);
        // server2.mjs: an SDK 2.x server of the stateless era only.
        NodeServer server;
        if (upstream == u"http")
            QVERIFY(server.start({E2eDir + QStringLiteral("/server2.mjs")}));
        const QString admin = scratch(QStringLiteral("modern-admin.json"));
        ProxyProcess proxy;
        const QStringList target =
            upstream == u"http"
                ? QStringList{QStringLiteral("--upstream"), server.url("/")}
                : QStringList{QStringLiteral("--"), Node, E2eDir + QStringLiteral("/server2.mjs"),
                              QStringLiteral("stdio")};
        QVERIFY2(proxy.start(target, {QStringLiteral("--admin-file"), admin},
                             E2eDir + QStringLiteral("/policy-eras.json")),
                 qPrintable(proxy.log()));
        const QJsonObject run = client2(QStringLiteral("basic"), proxy, mode, viaConnect);
        QVERIFY2(!run.contains(u"failed"), QJsonDocument(run).toJson().constData());
        QCOMPARE(run[u"era"].toString(), era);
        QCOMPARE(run[u"tools"].toVariant().toStringList(),
                 (QStringList{QStringLiteral("deploy"), QStringLiteral("echo"), QStringLiteral("get-sum"),
                              QStringLiteral("get-tiny-image"),
                              QStringLiteral("regional")})); // get-env hidden // get-env hidden
        QCOMPARE(run[u"echo"][u"result"][u"content"][0][u"text"].toString(),
                 QStringLiteral("Echo: hello from SDK 2"));
        QCOMPARE(run[u"denied"][u"result"][u"content"][0][u"text"].toString(),
                 QStringLiteral("Denied by policy: Images are not allowed in this test."));
        QCOMPARE(run[u"hidden"][u"error"][u"code"].toInt(), -32602);
        QVERIFY(proxy.waitForLog(QRegularExpression(QStringLiteral("speaks MCP 2026-07-28 \\(stateless\\)")),
                                 5000));

        // The argument the server wants mirrored in a header is sent as Mcp-Param-Region (it checks).
        const QJsonObject regional = client2(QStringLiteral("regional"), proxy, mode, viaConnect);
        QCOMPARE(regional[u"regional"][u"result"][u"content"][0][u"text"].toString(),
                 QStringLiteral("ran in eu-west"));

        // "deploy" needs a person (policy) and then the user's confirmation (the server's input request):
        // the person is asked once, the client is asked once, and the call runs once.
        QProcess client;
        startClient2(client, QStringLiteral("deploy"), proxy, mode, viaConnect);
        const QRegularExpression needed(QStringLiteral("approval (\\w+) needed: default deploy"));
        QVERIFY(proxy.waitForLog(needed, 30'000));
        QCOMPARE(runGatehouse({QStringLiteral("approvals"), QStringLiteral("approve"),
                               needed.match(proxy.log()).captured(1), QStringLiteral("--admin-file"), admin})
                     .exitCode,
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == QProcess::NotRunning, 30'000);
        const QJsonObject deployed =
            QJsonDocument::fromJson(client.readAllStandardOutput().trimmed()).object();
        QCOMPARE(deployed[u"deploy"][u"result"][u"content"][0][u"text"].toString(),
                 QStringLiteral("deployed to staging"));
        QCOMPARE(deployed[u"asked"].toVariant().toStringList(),
                 QStringList{QStringLiteral("Deploy to staging?")});
        QTest::qWait(300);
        QCOMPARE(
            proxy.log().count(QRegularExpression(QStringLiteral("approval \\w+ needed: default deploy"))), 1);
        // Decided once (held for the person, then allowed): the retry with the answer was not a new call.
        QCOMPARE(proxy.log().count(QRegularExpression(QStringLiteral(" default deploy needs-approval "))), 1);
        QCOMPARE(proxy.log().count(QRegularExpression(QStringLiteral("approval \\w+ allowed by admin-api"))),
                 1);
    }

    void approvalsProgressAndCancellationForStatelessClients()
    {
        const QString admin = scratch(QStringLiteral("eras-admin.json"));
        ProxyProcess proxy;
        QVERIFY2(proxy.start(stdioUpstream(), {QStringLiteral("--admin-file"), admin},
                             E2eDir + QStringLiteral("/policy-eras.json")),
                 qPrintable(proxy.log()));
        QProcess client;
        startClient2(client, QStringLiteral("approval"), proxy, QStringLiteral("modern"));
        QVERIFY(proxy.waitForLog(
            QRegularExpression(QStringLiteral("approval (\\w+) needed: default get-sum")), 30'000));
        const QString id = QRegularExpression(QStringLiteral("approval (\\w+) needed: default get-sum"))
                               .match(proxy.log())
                               .captured(1);
        const CommandRun answer = runGatehouse({QStringLiteral("approvals"), QStringLiteral("approve"), id,
                                                QStringLiteral("--admin-file"), admin});
        QCOMPARE(answer.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == QProcess::NotRunning, 30'000);
        const QJsonObject run = QJsonDocument::fromJson(client.readAllStandardOutput().trimmed()).object();
        QCOMPARE(run[u"era"].toString(), QStringLiteral("modern"));
        QVERIFY2(run[u"sum"][u"result"][u"content"][0][u"text"].toString().contains(QStringLiteral("5")),
                 QJsonDocument(run).toJson().constData());

        const QJsonObject slow =
            client2(QStringLiteral("progressAndCancel"), proxy, QStringLiteral("modern"));
        QCOMPARE(slow[u"progress"].toArray().size(), 2); // progress on the request's own stream
        QVERIFY(!slow[u"slow"][u"result"][u"isError"].toBool());
        QVERIFY(slow[u"aborted"].toObject().contains(u"error"));
        // Closing the stream was the cancellation: passed upstream as notifications/cancelled.
        QVERIFY2(
            proxy.waitForLog(QRegularExpression(QStringLiteral("client cancelled request \"gh-sl-\\d+\"; "
                                                               "notifications/cancelled sent upstream")),
                             10'000),
            qPrintable(proxy.log()));
    }

    void theErasWireRules()
    {
        ProxyProcess proxy;
        QVERIFY2(proxy.start(stdioUpstream(), {}, E2eDir + QStringLiteral("/policy-eras.json")),
                 qPrintable(proxy.log()));
        const quint16 port = proxy.port();
        const QByteArray headers = "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: server/discover\r\n";

        // server/discover, answered from the upstream's handshake that Gatehouse made itself.
        RawResponse r =
            rawHttp(port, statelessPost(port,
                                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\","
                                        "\"params\":{" +
                                            Meta + "}}",
                                        headers));
        QCOMPARE(r.status, 200);
        const QJsonObject discover = QJsonDocument::fromJson(r.body)[u"result"].toObject();
        QVERIFY2(discover[u"supportedVersions"].toVariant().toStringList().startsWith(
                     QStringLiteral("2026-07-28")),
                 r.body.constData());
        QVERIFY(
            discover[u"supportedVersions"].toVariant().toStringList().contains(QStringLiteral("2025-11-25")));
        QVERIFY(discover[u"capabilities"][u"tools"].isObject());
        QCOMPARE(discover[u"resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(discover[u"cacheScope"].toString(), QStringLiteral("private"));
        QCOMPARE(discover[u"ttlMs"].toInt(-1), 0);
        QCOMPARE(discover[u"_meta"][u"io.modelcontextprotocol/serverInfo"][u"name"].toString(),
                 QStringLiteral("mcp-servers/everything"));
        QVERIFY(!r.head.toLower().contains("mcp-session-id"));

        // Headers that disagree with the body: 400 with -32020, before anything is decided.
        const QByteArray call =
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
            "\"arguments\":{\"message\":\"x\"}," +
            Meta + "}}";
        r = rawHttp(port,
                    statelessPost(port, call,
                                  "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: "
                                  "get-env\r\n"));
        QCOMPARE(r.status, 400);
        QJsonObject error = QJsonDocument::fromJson(r.body)[u"error"].toObject();
        QCOMPARE(error[u"code"].toInt(), -32020);
        QCOMPARE(error[u"data"][u"mismatch"][u"header"].toString(), QStringLiteral("Mcp-Name"));
        QCOMPARE(QJsonDocument::fromJson(r.body)[u"id"].toInt(), 2);
        r = rawHttp(port, statelessPost(port, call,
                                        "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n"));
        QCOMPARE(r.status, 400); // Mcp-Name missing
        QCOMPARE(QJsonDocument::fromJson(r.body)[u"error"][u"code"].toInt(), -32020);
        r = rawHttp(port,
                    statelessPost(
                        port, call,
                        "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\nMcp-Name: echo\r\n"));
        QCOMPARE(QJsonDocument::fromJson(r.body)[u"error"][u"data"][u"mismatch"][u"header"].toString(),
                 QStringLiteral("Mcp-Method"));
        // Base64-encoded header values are read as the era encodes them.
        r = rawHttp(port,
                    statelessPost(port, call,
                                  "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: "
                                  "=?base64?" +
                                      QByteArray("echo").toBase64() + "?=\r\n"));
        QCOMPARE(r.status, 200);
        QCOMPARE(QJsonDocument::fromJson(r.body)[u"result"][u"content"][0][u"text"].toString(),
                 QStringLiteral("Echo: x"));
        QVERIFY(proxy.waitForLog(QRegularExpression(QStringLiteral("default echo allowed")),
                                 5000)); // decided like any call

        // A version this proxy does not speak: -32022 with what it does.
        QByteArray old = call;
        old.replace("2026-07-28", "2027-01-01");
        r = rawHttp(port,
                    statelessPost(
                        port, old,
                        "MCP-Protocol-Version: 2027-01-01\r\nMcp-Method: tools/call\r\nMcp-Name: echo\r\n"));
        QCOMPARE(r.status, 400);
        error = QJsonDocument::fromJson(r.body)[u"error"].toObject();
        QCOMPARE(error[u"code"].toInt(), -32022);
        QCOMPARE(error[u"data"][u"requested"].toString(), QStringLiteral("2027-01-01"));
        QVERIFY(
            error[u"data"][u"supported"].toVariant().toStringList().contains(QStringLiteral("2026-07-28")));
        // Without client capabilities: invalid params.
        QByteArray bare = call;
        bare.replace(",\"io.modelcontextprotocol/clientCapabilities\":{}", "");
        r = rawHttp(port,
                    statelessPost(
                        port, bare,
                        "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: echo\r\n"));
        QCOMPARE(r.status, 400);
        QCOMPARE(QJsonDocument::fromJson(r.body)[u"error"][u"code"].toInt(), -32602);

        // No sessions in this era: GET and DELETE are not allowed.
        for (const QByteArray& method : {QByteArray("GET"), QByteArray("DELETE")}) {
            r = rawHttp(port, method + " /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                                  "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " +
                                  ProxyProcess::token().toUtf8() +
                                  "\r\nMCP-Protocol-Version: 2026-07-28\r\n\r\n");
            QCOMPARE(r.status, 405);
            QVERIFY(r.head.contains("Allow: POST") || r.head.contains("allow: POST"));
        }
    }

    void listenStreamsListChanges()
    {
        // The policy file is edited while a stateless client listens: it hears the tools changed.
        const QString policy = scratch(QStringLiteral("eras-policy.json"));
        QVERIFY(QFile::copy(E2eDir + QStringLiteral("/policy-eras.json"), policy));
        QFile::setPermissions(policy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        ProxyProcess proxy;
        QVERIFY2(proxy.start(stdioUpstream(), {}, policy), qPrintable(proxy.log()));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, proxy.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(statelessPost(
            proxy.port(),
            "{\"jsonrpc\":\"2.0\",\"id\":\"listen-1\",\"method\":\"subscriptions/listen\","
            "\"params\":{\"notifications\":{\"toolsListChanged\":true,\"promptsListChanged\":true}," +
                Meta + "}}",
            "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\n"));
        QByteArray stream;
        QTRY_VERIFY_WITH_TIMEOUT(
            (stream += socket.readAll()).contains("notifications/subscriptions/acknowledged"), 10'000);
        QVERIFY(stream.startsWith("HTTP/1.1 200"));
        QVERIFY(stream.toLower().contains("content-type: text/event-stream"));
        QVERIFY(stream.contains("\"toolsListChanged\":true"));
        // Hiding echo changes the tool list.
        QFile f(policy);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray text = f.readAll();
        f.close();
        text.replace("\"hide\": [\"get-env\"]", "\"hide\": [\"get-env\", \"echo\"]");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
        f.close();
        QTRY_VERIFY_WITH_TIMEOUT((stream += socket.readAll()).contains("notifications/tools/list_changed"),
                                 10'000);
        QVERIFY2(stream.contains("\"io.modelcontextprotocol/subscriptionId\":\"listen-1\""),
                 stream.constData());
    }
};

QTEST_GUILESS_MAIN(TestErasE2E)
#include "tst_eras_e2e.moc"
