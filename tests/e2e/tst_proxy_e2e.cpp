// SPDX-License-Identifier: GPL-3.0-or-later
// End to end: the real gatehouse process between the official MCP TypeScript SDK client and
// @modelcontextprotocol/server-everything, over real pipes and sockets on 127.0.0.1.
#include "E2eSupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

using namespace e2e;

namespace {

struct ClientRun
{
    QJsonObject output;
    QString stderrText;
};

// How the client reaches server-everything: through a running HTTP proxy, by launching
// `gatehouse serve --stdio` itself (with the given upstream), or directly with no proxy at all.
struct Mode
{
    const ProxyProcess* proxy = nullptr; // HTTP in
    QStringList stdioUpstream;           // stdio in, when proxy is null
    bool direct = false;
    QString policyFile = policy(); // for stdio in
    bool bridge = false;           // stdio in through `gatehouse connect` to the HTTP proxy
};

ClientRun runClient(const QString& scenario, const Mode& mode)
{
    QStringList args{E2eDir + QStringLiteral("/client.mjs"), scenario};
    if (mode.direct)
        args << QStringLiteral("--direct") << Node << everything() << QStringLiteral("stdio");
    else if (mode.proxy && mode.bridge)
        args << QStringLiteral("--stdio") << Gatehouse << QStringLiteral("connect") << mode.proxy->url()
             << QStringLiteral("--token") << ProxyProcess::token();
    else if (mode.proxy)
        args << QStringLiteral("--http") << mode.proxy->url() << QStringLiteral("--token")
             << ProxyProcess::token();
    else
        args << QStringLiteral("--stdio") << Gatehouse << QStringLiteral("serve") << QStringLiteral("--stdio")
             << QStringLiteral("--policy") << mode.policyFile << isolated() << mode.stdioUpstream;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_POLICY_FILE"), mode.proxy ? mode.proxy->policyFile() : mode.policyFile);
    const NodeRun node = runNode(args, env);
    ClientRun run;
    if (!node.finished) {
        run.stderrText = QStringLiteral("client timed out");
        return run;
    }
    run.output = node.output;
    run.stderrText = node.stderrText;
    return run;
}

QString firstText(const QJsonObject& callOutcome)
{
    return callOutcome[QStringLiteral("result")][QStringLiteral("content")][0][QStringLiteral("text")]
        .toString();
}

const QByteArray InitBody =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}})";

} // namespace

class TestProxyE2E : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void allowedCallsAreExact_data();
    void allowedCallsAreExact();
    void policyOnTheWire_data();
    void policyOnTheWire();
    void progressPassesThrough_data();
    void progressPassesThrough();
    void serverRequestsReachTheClient_data();
    void serverRequestsReachTheClient();
    void cancellationReachesUpstream_data();
    void cancellationReachesUpstream();
    void httpGuards_data();
    void httpGuards();
    void sessionLifecycle();
    void inspectorCli();
    void listChangedOnPolicyEdit_data();
    void listChangedOnPolicyEdit();
    void upstreamRestartsAfterACrash();
    void stopsCleanlyOnSigterm();
    void upstreamTimeout();

private:
    void modes();
    Mode mode(const QString& name) const;
    ProxyProcess* m_proxy = nullptr;       // HTTP in, server-everything over stdio out
    ProxyProcess* m_httpProxy = nullptr;   // HTTP in, Streamable HTTP out
    ProxyProcess* m_legacyProxy = nullptr; // HTTP in, HTTP+SSE (2024-11-05) out
    ProxyProcess* m_bridgeProxy = nullptr; // reached through `gatehouse connect`
    EverythingServer* m_httpServer = nullptr;
    EverythingServer* m_sseServer = nullptr;
    ClientRun m_direct;
};

Mode TestProxyE2E::mode(const QString& name) const
{
    if (name == u"http in, stdio out")
        return {m_proxy, {}, false};
    if (name == u"stdio in, stdio out")
        return {nullptr, stdioUpstream(), false};
    if (name == u"http in, http out")
        return {m_httpProxy, {}, false};
    if (name == u"stdio in, http out")
        return {nullptr, {QStringLiteral("--upstream"), m_httpServer->url("/mcp")}, false};
    if (name == u"connect bridge, stdio out")
        return {m_bridgeProxy, {}, false, policy(), true};
    return {m_legacyProxy, {}, false};
}

void TestProxyE2E::initTestCase()
{
    QVERIFY2(QFile::exists(everything()),
             "npm packages missing: run `npm ci` in tests/e2e (scripts/test.sh does this)");
    m_proxy = new ProxyProcess;
    QVERIFY2(m_proxy->start(), qPrintable(m_proxy->log()));
    m_httpServer = new EverythingServer;
    QVERIFY(m_httpServer->start(QStringLiteral("streamableHttp")));
    m_sseServer = new EverythingServer;
    QVERIFY(m_sseServer->start(QStringLiteral("sse")));
    m_httpProxy = new ProxyProcess;
    QVERIFY2(m_httpProxy->start({QStringLiteral("--upstream"), m_httpServer->url("/mcp")}),
             qPrintable(m_httpProxy->log()));
    m_legacyProxy = new ProxyProcess;
    QVERIFY2(m_legacyProxy->start({QStringLiteral("--upstream"), m_sseServer->url("/sse")}),
             qPrintable(m_legacyProxy->log()));
    m_bridgeProxy = new ProxyProcess;
    QVERIFY2(m_bridgeProxy->start(), qPrintable(m_bridgeProxy->log()));
    m_direct = runClient(QStringLiteral("basic"), Mode{nullptr, {}, true});
    QVERIFY2(m_direct.output.contains(u"echo"), qPrintable(m_direct.stderrText));
}

void TestProxyE2E::cleanupTestCase()
{
    delete m_proxy;
    delete m_httpProxy;
    delete m_legacyProxy;
    delete m_bridgeProxy;
    delete m_httpServer;
    delete m_sseServer;
}

void TestProxyE2E::modes()
{
    QTest::addColumn<QString>("mode");
    for (const char* m : {"http in, stdio out", "stdio in, stdio out", "http in, http out",
                          "stdio in, http out", "http in, legacy sse out", "connect bridge, stdio out"})
        QTest::newRow(m) << QString::fromLatin1(m);
}

void TestProxyE2E::allowedCallsAreExact_data()
{
    modes();
}

void TestProxyE2E::allowedCallsAreExact()
{
    QFETCH(QString, mode);
    const ClientRun run = runClient(QStringLiteral("basic"), this->mode(mode));
    QVERIFY2(!run.output.isEmpty() && !run.output.contains(u"fatal"), qPrintable(run.stderrText));
    for (const char* key : {"echo", "sum", "structured"})
        QCOMPARE(run.output.value(QLatin1String(key)), m_direct.output.value(QLatin1String(key)));
    QCOMPARE(firstText(run.output[QStringLiteral("echo")].toObject()),
             QStringLiteral("Echo: hello through gatehouse"));

    QStringList proxied, direct;
    for (const QJsonValue& v : run.output[QStringLiteral("tools")].toArray())
        proxied << v.toString();
    for (const QJsonValue& v : m_direct.output[QStringLiteral("tools")].toArray())
        direct << v.toString();
    QVERIFY(direct.contains(QStringLiteral("get-env")));
    QVERIFY2(!proxied.contains(QStringLiteral("get-env")), "a hidden tool was listed");
    direct.removeAll(QStringLiteral("get-env"));
    for (const QString& t : direct)
        QVERIFY2(proxied.contains(t), qPrintable(t + QStringLiteral(" missing through the proxy")));
}

void TestProxyE2E::policyOnTheWire_data()
{
    modes();
}

void TestProxyE2E::policyOnTheWire()
{
    QFETCH(QString, mode);
    // The scenario counts four calls against 3 per minute: all four in one minute.
    waitForWindowRoom(60, 30);
    const ClientRun run = runClient(QStringLiteral("policy"), this->mode(mode));
    QVERIFY2(!run.output.isEmpty() && !run.output.contains(u"fatal"), qPrintable(run.stderrText));

    const QJsonObject hidden = run.output[QStringLiteral("hidden")][QStringLiteral("error")].toObject();
    QCOMPARE(hidden[QStringLiteral("code")].toInt(), -32602);
    QVERIFY(hidden[QStringLiteral("message")].toString().endsWith(u"Unknown tool: get-env"));

    const QJsonObject denied = run.output[QStringLiteral("denied")][QStringLiteral("result")].toObject();
    QCOMPARE(denied[QStringLiteral("isError")].toBool(), true);
    QCOMPARE(firstText(run.output[QStringLiteral("denied")].toObject()),
             QStringLiteral("Denied by policy: Images are not allowed in this test."));
    QCOMPARE(denied[QStringLiteral("_meta")][QStringLiteral("io.modelcontextprotocol/authorization")]
                   [QStringLiteral("reason")]
                       .toString(),
             QStringLiteral("insufficient_authorization"));

    const QJsonArray limited = run.output[QStringLiteral("limited")].toArray();
    QCOMPARE(limited.size(), 4);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(firstText(limited[i].toObject()), QStringLiteral("Echo: call %1").arg(i));
    const QJsonObject fourth = limited[3][QStringLiteral("result")].toObject();
    QCOMPARE(fourth[QStringLiteral("isError")].toBool(), true);
    QVERIFY(firstText(limited[3].toObject())
                .startsWith(u"Rate limit reached for echo: 3 per minute (counter echo_rate). Retry in "));
    const int retry = fourth[QStringLiteral("_meta")][QStringLiteral("io.modelcontextprotocol/authorization")]
                            [QStringLiteral("retryAfterSeconds")]
                                .toInt();
    QVERIFY2(retry >= 1 && retry <= 60, qPrintable(QString::number(retry)));
}

void TestProxyE2E::progressPassesThrough_data()
{
    modes();
}

void TestProxyE2E::progressPassesThrough()
{
    QFETCH(QString, mode);
    const ClientRun run = runClient(QStringLiteral("progress"), this->mode(mode));
    const QJsonArray progress = run.output[QStringLiteral("progress")].toArray();
    // The SDK client itself may drop the last step when it races the result, even without a proxy.
    QVERIFY2(progress.size() >= 2, qPrintable(run.stderrText));
    for (int i = 0; i < progress.size(); ++i)
        QCOMPARE(progress[i][QStringLiteral("progress")].toInt(), i + 1);
    QVERIFY(firstText(run.output[QStringLiteral("result")].toObject())
                .startsWith(u"Long running operation completed."));
}

void TestProxyE2E::serverRequestsReachTheClient_data()
{
    modes();
}

void TestProxyE2E::serverRequestsReachTheClient()
{
    QFETCH(QString, mode);
    const ClientRun elicit = runClient(QStringLiteral("elicitation"), this->mode(mode));
    const QJsonArray content =
        elicit.output[QStringLiteral("elicit")][QStringLiteral("result")][QStringLiteral("content")]
            .toArray();
    QVERIFY2(content.size() >= 2, qPrintable(elicit.stderrText));
    QVERIFY(content[1][QStringLiteral("text")].toString().contains(u"Name: Ada Lovelace"));

    const ClientRun sample = runClient(QStringLiteral("sampling"), this->mode(mode));
    QVERIFY2(firstText(sample.output[QStringLiteral("sample")].toObject())
                 .contains(u"sampled: Resource trigger-sampling-request context: say hi"),
             qPrintable(sample.stderrText));
}

void TestProxyE2E::cancellationReachesUpstream_data()
{
    modes();
}

void TestProxyE2E::cancellationReachesUpstream()
{
    QFETCH(QString, mode);
    const ClientRun run = runClient(QStringLiteral("cancel"), this->mode(mode));
    QVERIFY2(run.output[QStringLiteral("cancelled")].toObject().contains(u"error"),
             qPrintable(run.stderrText));
    QCOMPARE(firstText(run.output[QStringLiteral("after")].toObject()), QStringLiteral("Echo: still here"));
    static const QRegularExpression sent(QStringLiteral("notifications/cancelled sent upstream"));
    ProxyProcess* proxy = const_cast<ProxyProcess*>(this->mode(mode).proxy);
    if (proxy)
        QVERIFY2(proxy->waitForLog(sent, 5000), qPrintable(proxy->log()));
    else
        QVERIFY2(run.stderrText.contains(sent), qPrintable(run.stderrText));
}

void TestProxyE2E::httpGuards_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("bodyPart");
    const quint16 port = m_proxy->port();
    const QByteArray auth = "Authorization: Bearer " + ProxyProcess::token().toUtf8() + "\r\n";
    const QByteArray json =
        "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
    QTest::newRow("no token") << post(InitBody, json, port) << 401 << "bearer token";
    QTest::newRow("wrong token") << post(InitBody, json + "Authorization: Bearer nope\r\n", port) << 401
                                 << "bearer token";
    QTest::newRow("foreign Host") << ("POST /mcp HTTP/1.1\r\nHost: evil.example:" + QByteArray::number(port) +
                                      "\r\n" + json + auth + "Content-Length: " +
                                      QByteArray::number(InitBody.size()) + "\r\n\r\n" + InitBody)
                                  << 403 << "Host";
    QTest::newRow("foreign Origin") << post(InitBody, json + auth + "Origin: https://evil.example\r\n", port)
                                    << 403 << "Origin";
    QTest::newRow("null Origin") << post(InitBody, json + auth + "Origin: null\r\n", port) << 403 << "Origin";
    QTest::newRow("no SSE in Accept")
        << post(InitBody, "Content-Type: application/json\r\nAccept: application/json\r\n" + auth, port)
        << 406 << "Not Acceptable";
    QTest::newRow("not JSON")
        << post(InitBody,
                "Content-Type: text/plain\r\nAccept: application/json, text/event-stream\r\n" + auth, port)
        << 415 << "Content-Type";
    QTest::newRow("bad JSON") << post("{\"jsonrpc\":", json + auth, port) << 400 << "-32700";
    QTest::newRow("batch") << post("[" + InitBody + "]", json + auth, port) << 400 << "batches";
    QTest::newRow("no session") << post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", json + auth,
                                        port)
                                << 400 << "Mcp-Session-Id";
    QTest::newRow("unknown session") << post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})",
                                             json + auth + "Mcp-Session-Id: abc\r\n", port)
                                     << 404 << "Session not found";
    QTest::newRow("unknown server") << ("POST /mcp/nope HTTP/1.1\r\nHost: 127.0.0.1:" +
                                        QByteArray::number(port) + "\r\n" + json + auth + "Content-Length: " +
                                        QByteArray::number(InitBody.size()) + "\r\n\r\n" + InitBody)
                                    << 404 << "no MCP server";
    QTest::newRow("bad protocol version")
        << post(InitBody, json + auth + "MCP-Protocol-Version: 1999-01-01\r\n", port) << 400
        << "MCP-Protocol-Version";
    QTest::newRow("PUT") << ("PUT /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n" +
                             auth + "Content-Length: 0\r\n\r\n")
                         << 405 << "Method Not Allowed";
    QTest::newRow("body over 4 MiB") << ("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                                         "\r\n" + json + auth + "Content-Length: 5000000\r\n\r\n")
                                     << 413 << "larger than";
    QTest::newRow("garbage") << QByteArray("HELLO\r\n\r\n") << 400 << "malformed HTTP request";
}

void TestProxyE2E::httpGuards()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, bodyPart);
    const RawResponse r = rawHttp(m_proxy->port(), request);
    QCOMPARE(r.status, status);
    QVERIFY2(QString::fromUtf8(r.body).contains(bodyPart), r.body.constData());
    // The proxy keeps serving after each.
    const RawResponse ok =
        rawHttp(m_proxy->port(),
                post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                     "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                     "Authorization: Bearer " +
                         ProxyProcess::token().toUtf8() + "\r\n",
                     m_proxy->port()));
    QCOMPARE(ok.status, 400); // no session: answered, so still alive
}

void TestProxyE2E::sessionLifecycle()
{
    const QByteArray headers = "Content-Type: application/json\r\nAccept: application/json, "
                               "text/event-stream\r\nAuthorization: Bearer " +
                               ProxyProcess::token().toUtf8() + "\r\n";
    const quint16 port = m_proxy->port();
    // initialize answers with a fresh session id and tools.listChanged declared; a lone response
    // comes as plain JSON (no event stream is needed for it).
    const RawResponse init = rawHttp(port, post(InitBody, headers, port));
    QCOMPARE(init.status, 200);
    QVERIFY(init.head.contains("Content-Type: application/json"));
    const QByteArray data = init.head + "\r\n\r\n" + init.body;
    const QRegularExpression sid(QStringLiteral("Mcp-Session-Id: ([0-9a-f]{32})"));
    const auto m = sid.match(QString::fromLatin1(data));
    QVERIFY(m.hasMatch());
    QVERIFY(data.contains(R"("tools":{"listChanged":true})"));
    const QByteArray session = "Mcp-Session-Id: " + m.captured(1).toLatin1() + "\r\n";
    // A notification is accepted with 202.
    QCOMPARE(rawHttp(port, post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                                headers + session, port))
                 .status,
             202);
    // DELETE ends the session; afterwards it is unknown.
    const QByteArray del = "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                           "\r\nAuthorization: Bearer " + ProxyProcess::token().toUtf8() + "\r\n" + session +
                           "Content-Length: 0\r\n\r\n";
    QCOMPARE(rawHttp(port, del).status, 200);
    QCOMPARE(rawHttp(port, post(R"({"jsonrpc":"2.0","id":5,"method":"tools/list"})", headers + session, port))
                 .status,
             404);
}

void TestProxyE2E::listChangedOnPolicyEdit_data()
{
    QTest::addColumn<bool>("overHttp");
    QTest::newRow("http in") << true;
    QTest::newRow("stdio in") << false;
}

void TestProxyE2E::listChangedOnPolicyEdit()
{
    QFETCH(bool, overHttp);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("policy.json"));
    QVERIFY(QFile::copy(policy(), file));
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner);
    ProxyProcess proxy;
    Mode mode{nullptr, stdioUpstream(), false, file};
    if (overHttp) {
        QVERIFY2(proxy.start(stdioUpstream(), {}, file), qPrintable(proxy.log()));
        mode.proxy = &proxy;
    }
    const ClientRun run = runClient(QStringLiteral("listChanged"), mode);
    QVERIFY2(run.output[QStringLiteral("notified")].toBool(), qPrintable(run.stderrText + proxy.log()));
    auto names = [](const QJsonValue& v) {
        QStringList out;
        for (const QJsonValue& n : v.toArray())
            out << n.toString();
        return out;
    };
    QVERIFY(names(run.output[QStringLiteral("before")]).contains(QStringLiteral("echo")));
    QVERIFY(!names(run.output[QStringLiteral("after")]).contains(QStringLiteral("echo")));
    // The edit applies to the very next call, without reconnecting.
    QCOMPARE(run.output[QStringLiteral("call")][QStringLiteral("error")][QStringLiteral("code")].toInt(),
             -32602);
}

void TestProxyE2E::inspectorCli()
{
    // The MCP Inspector's command-line mode, a second client implementation, through the proxy.
    auto inspect = [this](const QStringList& args) {
        QProcess p;
        p.start(Node, QStringList{E2eDir + QStringLiteral("/node_modules/.bin/mcp-inspector"),
                                  QStringLiteral("--cli"), m_proxy->url(), QStringLiteral("--transport"),
                                  QStringLiteral("http"), QStringLiteral("--header"),
                                  QStringLiteral("Authorization: Bearer ") + ProxyProcess::token()} +
                          args);
        p.waitForFinished(60'000);
        return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    };
    const QJsonObject echo = inspect(
        {QStringLiteral("--method"), QStringLiteral("tools/call"), QStringLiteral("--tool-name"),
         QStringLiteral("echo"), QStringLiteral("--tool-arg"), QStringLiteral("message=from the inspector")});
    QCOMPARE(echo[QStringLiteral("content")][0][QStringLiteral("text")].toString(),
             QStringLiteral("Echo: from the inspector"));
    const QJsonObject denied = inspect({QStringLiteral("--method"), QStringLiteral("tools/call"),
                                        QStringLiteral("--tool-name"), QStringLiteral("get-tiny-image")});
    QCOMPARE(denied[QStringLiteral("content")][0][QStringLiteral("text")].toString(),
             QStringLiteral("Denied by policy: Images are not allowed in this test."));
    const QJsonObject list = inspect({QStringLiteral("--method"), QStringLiteral("tools/list")});
    QStringList names;
    for (const QJsonValue& t : list[QStringLiteral("tools")].toArray())
        names << t[QStringLiteral("name")].toString();
    QVERIFY(names.contains(QStringLiteral("echo")));
    QVERIFY(!names.contains(QStringLiteral("get-env")));
}

void TestProxyE2E::upstreamRestartsAfterACrash()
{
    ProxyProcess proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.log()));
    QVERIFY(!runClient(QStringLiteral("basic"), Mode{&proxy, {}, false}).output.isEmpty());
    static const QRegularExpression started(QStringLiteral("upstream started: .* \\(pid (\\d+)\\)"));
    quint16 unused = 0;
    QVERIFY(proxy.waitForLog(started, 5000, &unused));
    const auto pidMatch = started.match(proxy.log());
    const qint64 pid = pidMatch.captured(1).toLongLong();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    // The child is started again with back-off, and clients carry on.
    QVERIFY2(proxy.waitForLog(started, 15'000, nullptr, 2), qPrintable(proxy.log()));
    QVERIFY(proxy.log().contains(u"restarting in 500 ms"));
    const ClientRun after = runClient(QStringLiteral("basic"), Mode{&proxy, {}, false});
    QCOMPARE(firstText(after.output[QStringLiteral("echo")].toObject()),
             QStringLiteral("Echo: hello through gatehouse"));
}

void TestProxyE2E::stopsCleanlyOnSigterm()
{
    ProxyProcess proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.log()));
    static const QRegularExpression started(QStringLiteral("upstream started: .* \\(pid (\\d+)\\)"));
    QVERIFY(proxy.waitForLog(started, 10'000));
    const qint64 child = started.match(proxy.log()).captured(1).toLongLong();
    QVERIFY(child > 0);
    QCOMPARE(::kill(pid_t(child), 0), 0);
    proxy.process().terminate(); // SIGTERM
    QVERIFY(proxy.process().waitForFinished(10'000));
    QCOMPARE(proxy.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(proxy.process().exitCode(), 0);
    proxy.waitForLog(QRegularExpression(QStringLiteral("stopped")), 1000);
    QVERIFY(proxy.log().contains(u"gatehouse: stopped"));
    // The upstream child went with it (reaped by the proxy, so not even a zombie remains).
    QCOMPARE(::kill(pid_t(child), 0), -1);
}

void TestProxyE2E::upstreamTimeout()
{
    ProxyProcess proxy;
    QVERIFY2(proxy.start(stdioUpstream(), {QStringLiteral("--upstream-timeout"), QStringLiteral("1")}),
             qPrintable(proxy.log()));
    const ClientRun run = runClient(QStringLiteral("slow"), Mode{&proxy, {}, false});
    const QJsonObject error = run.output[QStringLiteral("slow")][QStringLiteral("error")].toObject();
    QVERIFY2(error[QStringLiteral("message")].toString().contains(u"did not answer tools/call within 1 s"),
             qPrintable(run.stderrText));
    const int ms = run.output[QStringLiteral("ms")].toInt();
    QVERIFY2(ms >= 900 && ms < 3000,
             qPrintable(QString::number(ms))); // the proxy's deadline, not the tool's 4 s
    QCOMPARE(firstText(run.output[QStringLiteral("after")].toObject()),
             QStringLiteral("Echo: after the timeout"));
}

QTEST_GUILESS_MAIN(TestProxyE2E)
#include "tst_proxy_e2e.moc"
