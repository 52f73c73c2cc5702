// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile input against a running proxy (the Rolli sandbox behind it): each case gets its documented
// status and error, and after each one a well-behaved client is still served. Memory stays bounded.
#include "E2eSupport.h"

#include <QFile>

using namespace e2e;

namespace {

QByteArray initializeBody()
{
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-"
           "06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"h\",\"version\":\"1\"}}}";
}

QByteArray call(const QByteArray& id, const QByteArray& name, const QByteArray& arguments)
{
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + name +
           "\",\"arguments\":" + arguments + "}}";
}

} // namespace

class TestHostileE2E : public QObject
{
    Q_OBJECT

    ProxyProcess m_proxy;
    QString m_config;
    QByteArray m_alice, m_bob, m_sid, m_aliceSid;
    std::unique_ptr<McpClient> m_health;
    qint64 m_rssStart = 0;
    int m_cases = 0;

    quint16 port() const { return m_proxy.port(); }
    QByteArray host() const { return "Host: 127.0.0.1:" + QByteArray::number(port()) + "\r\n"; }
    static QByteArray usual()
    {
        return "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
    }
    QByteArray auth(const QByteArray& token = ProxyProcess::token().toUtf8()) const
    {
        return "Authorization: Bearer " + token + "\r\n";
    }
    QByteArray session(const QByteArray& sid) const { return "Mcp-Session-Id: " + sid + "\r\n"; }
    // A complete POST /mcp with the usual headers, then `extra`, then the body with its length.
    QByteArray post(const QByteArray& body, const QByteArray& extra = {}, bool withSession = true) const
    {
        return "POST /mcp HTTP/1.1\r\n" + host() + usual() + auth() +
               (withSession ? session(m_sid) : QByteArray()) + extra +
               "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    static QByteArray sessionOf(const RawResponse& r)
    {
        const auto m = QRegularExpression(QStringLiteral("(?i)mcp-session-id: *([^\\r\\n]+)"))
                           .match(QString::fromLatin1(r.head));
        return m.captured(1).toLatin1();
    }
    void expectServedStill()
    {
        const QJsonObject r = m_health->call(QStringLiteral("get_usage"), {});
        QVERIFY2(r.contains(QStringLiteral("result")), "a well-behaved client is no longer served");
    }

private slots:
    void initTestCase()
    {
        m_config = scratch(QStringLiteral("hostile-config.json"));
        auto grant = [this](const char* label) {
            const CommandRun r =
                runGatehouse({QStringLiteral("grants"), QStringLiteral("add"), QString::fromLatin1(label),
                              QStringLiteral("--server"), QStringLiteral("default"),
                              QStringLiteral("--config"), m_config});
            return r.out.split(u'\n').value(1).trimmed().toLatin1();
        };
        m_alice = grant("alice");
        m_bob = grant("bob");
        QVERIFY(m_alice.size() > 20 && m_bob.size() > 20);
        QVERIFY2(m_proxy.start({QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")},
                               {QStringLiteral("--config"), m_config},
                               E2eDir + QStringLiteral("/policy-hostile.json")),
                 qPrintable(m_proxy.log()));
        m_health = std::make_unique<McpClient>(port());
        QVERIFY(m_health->initialize());
        const RawResponse init =
            rawHttp(port(), "POST /mcp HTTP/1.1\r\n" + host() + usual() + auth() + "Content-Length: " +
                                QByteArray::number(initializeBody().size()) + "\r\n\r\n" + initializeBody());
        QCOMPARE(init.status, 200);
        m_sid = sessionOf(init);
        QVERIFY(!m_sid.isEmpty());
        const RawResponse aliceInit =
            rawHttp(port(), "POST /mcp HTTP/1.1\r\n" + host() + usual() + auth(m_alice) + "Content-Length: " +
                                QByteArray::number(initializeBody().size()) + "\r\n\r\n" + initializeBody());
        m_aliceSid = sessionOf(aliceInit);
        QVERIFY(!m_aliceSid.isEmpty());
        m_rssStart = rssKb(m_proxy.process().processId());
    }

    void hostileRequest_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("expected"); // in the response body

        const QByteArray h = host();
        // JSON and JSON-RPC shape
        QTest::newRow("malformed JSON") << post("{\"jsonrpc\":") << 400 << QByteArray("-32700");
        QTest::newRow("truncated body")
            << post("{\"jsonrpc\":\"2.0\",\"id\":1,\"meth") << 400 << QByteArray("-32700");
        QTest::newRow("empty body") << post("") << 400 << QByteArray("-32700");
        QTest::newRow("whitespace body") << post("   \n ") << 400 << QByteArray("-32700");
        QTest::newRow("null") << post("null") << 400 << QByteArray("-32600");
        QTest::newRow("a string") << post("\"tools/call\"") << 400 << QByteArray("-32600");
        QTest::newRow("a number") << post("42") << 400 << QByteArray("-32600");
        QTest::newRow("empty batch") << post("[]") << 400 << QByteArray("-32600");
        QTest::newRow("batch of two")
            << post("[" + call("1", "get_usage", "{}") + "," + call("2", "get_usage", "{}") + "]") << 400
            << QByteArray("-32600");
        QTest::newRow("no jsonrpc member")
            << post("{\"id\":1,\"method\":\"tools/list\"}") << 400 << QByteArray("-32600");
        QTest::newRow("jsonrpc 1.0") << post("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"tools/list\"}")
                                     << 400 << QByteArray("-32600");
        QTest::newRow("no method, an id")
            << post("{\"jsonrpc\":\"2.0\",\"id\":1}") << 400 << QByteArray("-32600");
        QTest::newRow("numeric method")
            << post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}") << 400 << QByteArray("-32600");
        QTest::newRow("null id") << post("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"tools/list\"}") << 400
                                 << QByteArray("-32600");
        QTest::newRow("object id") << post("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"tools/list\"}")
                                   << 400 << QByteArray("-32600");
        QTest::newRow("array id") << post("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"tools/list\"}") << 400
                                  << QByteArray("-32600");
        QTest::newRow("boolean id") << post("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"tools/list\"}")
                                    << 400 << QByteArray("-32600");
        QTest::newRow("fractional id") << post("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"tools/list\"}")
                                       << 400 << QByteArray("-32600");
        QTest::newRow("result and error both")
            << post("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"x\"}}")
            << 400 << QByteArray("-32600");
        // Wrong types in params: a JSON-RPC error in a 200 answer, never a crash or a forwarded call.
        QTest::newRow("params an array")
            << post("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":[1,2]}") << 400
            << QByteArray("must be an object");
        QTest::newRow("params null")
            << post("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\",\"params\":null}") << 400
            << QByteArray("must be an object");
        QTest::newRow("no params") << post("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\"}") << 200
                                   << QByteArray("-32602");
        QTest::newRow("numeric tool name")
            << post("{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"tools/call\",\"params\":{\"name\":5}}")
            << 200 << QByteArray("-32602");
        QTest::newRow("arguments a string")
            << post(call("15", "get_usage", "\"month=1\"")) << 200 << QByteArray("-32602");
        QTest::newRow("arguments an array")
            << post(call("16", "get_usage", "[1]")) << 200 << QByteArray("-32602");
        QTest::newRow("arguments null")
            << post(call("17", "get_usage", "null")) << 200 << QByteArray("-32602");
        QTest::newRow("hidden tool") << post(call("18", "delete_agent_run", "{\"id\":\"r\"}")) << 200
                                     << QByteArray("Unknown tool: delete_agent_run");
        QTest::newRow("tool that does not exist")
            << post(call("19", "format_disk", "{}")) << 200 << QByteArray("Unknown tool: format_disk");
        QTest::newRow("argument of the wrong type")
            << post(call("20", "get_agent_run", "{\"id\":42}")) << 200 << QByteArray("\"isError\":true");
        QTest::newRow("unknown method") << post("{\"jsonrpc\":\"2.0\",\"id\":21,\"method\":\"tools/format\"}")
                                        << 200 << QByteArray("-32601");
        QTest::newRow("a response nobody asked for")
            << post("{\"jsonrpc\":\"2.0\",\"id\":\"nope\",\"result\":{}}") << 202 << QByteArray();
        QTest::newRow("unknown notification")
            << post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/bogus\"}") << 202 << QByteArray();
        QTest::newRow("a 1 MB method name")
            << post("{\"jsonrpc\":\"2.0\",\"id\":22,\"method\":\"" + QByteArray(1 << 20, 'm') + "\"}") << 200
            << QByteArray("-32601");
        QTest::newRow("10,000 arguments") << post(call("23", "get_usage", []() -> QByteArray {
            QByteArray o = "{";
            for (int i = 0; i < 10'000; ++i)
                o += (i ? ",\"k" : "\"k") + QByteArray::number(i) + "\":" + QByteArray::number(i);
            return o + "}";
        }())) << 200 << QByteArray("\"isError\":true");
        // Size and depth
        QTest::newRow("nesting 100,000 deep")
            << post(call("24", "get_usage", QByteArray(100'000, '[') + QByteArray(100'000, ']'))) << 400
            << QByteArray("-32700");
        QTest::newRow("objects 100,000 deep")
            << post(QByteArray(100'000, '{').replace("{", "{\"a\":") + "1" + QByteArray(100'000, '}')) << 400
            << QByteArray("-32700");
        QTest::newRow("50 MB declared") << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() + session(m_sid) +
                                               "Content-Length: 52428800\r\n\r\n" + QByteArray(65536, ' ')
                                        << 413 << QByteArray();
        QTest::newRow("5 MB of arguments")
            << post(call("25", "get_usage", "{\"q\":\"" + QByteArray(5 << 20, 'a') + "\"}")) << 413
            << QByteArray();
        QTest::newRow("5 MB chunked") << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() + session(m_sid) +
                                             "Transfer-Encoding: chunked\r\n\r\n500000\r\n" +
                                             QByteArray(0x500000, ' ') + "\r\n0\r\n\r\n"
                                      << 413 << QByteArray();
        QTest::newRow("request line without a version")
            << QByteArray("GET /mcp\r\n\r\n") << 400 << QByteArray("no HTTP version");
        QTest::newRow("request line alone without a version")
            << QByteArray("GET /mcp\r\n") << 400 << QByteArray("no HTTP version");
        QTest::newRow("headers over 80 KiB")
            << post(call("26", "get_usage", "{}"), "X-Big: " + QByteArray(90'000, 'a') + "\r\n") << 431
            << QByteArray();
        QTest::newRow("10,000 headers") << post(call("27", "get_usage", "{}"), []() -> QByteArray {
            QByteArray hs;
            for (int i = 0; i < 10'000; ++i)
                hs += "X-" + QByteArray::number(i) + ": v\r\n";
            return hs;
        }()) << 431 << QByteArray();
        // Encoding
        QTest::newRow("invalid UTF-8 in a string")
            << post(call("28", "get_usage", "{\"month\":\"\xff\xfe\xc3\"}")) << 400 << QByteArray("-32700");
        QTest::newRow("overlong UTF-8")
            << post(call("29", "get_usage", "{\"month\":\"\xc0\xaf\"}")) << 400 << QByteArray("-32700");
        QTest::newRow("raw NUL in a string")
            << post(call("30", "get_usage", QByteArray("{\"month\":\"a\0b\"}", 14))) << 400
            << QByteArray("-32700");
        QTest::newRow("escaped NUL in a string")
            << post(call("31", "get_usage", "{\"month\":\"a\\u0000b\"}")) << 200 << QByteArray("\"result\"");
        QTest::newRow("UTF-16 body") << post(QByteArray("\xff\xfe{\0}\0", 6)) << 400 << QByteArray("-32700");
        QTest::newRow("NUL in a header")
            << post(call("32", "get_usage", "{}"), QByteArray("X-A: a\0b\r\n", 10)) << 400 << QByteArray();
        // Content-Type and Accept
        QTest::newRow("no Content-Type")
            << "POST /mcp HTTP/1.1\r\n" + h + "Accept: application/json, text/event-stream\r\n" + auth() +
                   session(m_sid) + "Content-Length: 2\r\n\r\n{}"
            << 415 << QByteArray("-32000");
        QTest::newRow("text/plain") << post("{}", "Content-Type: text/plain\r\n")
                                           .replace(usual(),
                                                    "Accept: application/json, text/event-stream\r\n")
                                    << 415 << QByteArray("-32000");
        QTest::newRow("no Accept") << post(call("33", "get_usage", "{}"))
                                          .replace("Accept: application/json, text/event-stream\r\n", "")
                                   << 406 << QByteArray("-32000");
        QTest::newRow("Accept text/html")
            << post(call("34", "get_usage", "{}")).replace("application/json, text/event-stream", "text/html")
            << 406 << QByteArray("-32000");
        QTest::newRow("Accept JSON only")
            << post(call("35", "get_usage", "{}"))
                   .replace("application/json, text/event-stream", "application/json")
            << 406 << QByteArray("-32000");
        QTest::newRow("charset parameter is fine")
            << post(call("36", "get_usage", "{}"))
                   .replace("Content-Type: application/json", "Content-Type: application/json; charset=utf-8")
            << 200 << QByteArray("\"result\"");
        // HTTP framing
        QTest::newRow("not HTTP") << QByteArray("HELLO THERE\r\n\r\n") << 400 << QByteArray();
        QTest::newRow("bare LF line endings")
            << post(call("37", "get_usage", "{}")).replace("\r\n", "\n") << 200 << QByteArray("\"result\"");
        QTest::newRow("CR inside a header value")
            << post(call("38", "get_usage", "{}"), "X-A: a\rInjected: 1\r\n") << 400 << QByteArray();
        // RFC 9112 lets a server replace obs-fold with a space instead of refusing it; http_parser does.
        QTest::newRow("obs-fold header continuation")
            << post(call("39", "get_usage", "{}"), "X-A: a\r\n folded\r\n") << 200
            << QByteArray("\"result\"");
        QTest::newRow("Content-Length and chunked")
            << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() + session(m_sid) +
                   "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
            << 400 << QByteArray();
        QTest::newRow("two Content-Lengths")
            << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() + session(m_sid) +
                   "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}}"
            << 400 << QByteArray();
        QTest::newRow("negative Content-Length") << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() +
                                                        session(m_sid) + "Content-Length: -1\r\n\r\n{}"
                                                 << 400 << QByteArray();
        QTest::newRow("Content-Length 10 GB") << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() +
                                                     session(m_sid) + "Content-Length: 10737418240\r\n\r\n{"
                                              << 413 << QByteArray();
        QTest::newRow("bad chunk size") << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() + session(m_sid) +
                                               "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
                                        << 400 << QByteArray();
        QTest::newRow("chunked, valid") << "POST /mcp HTTP/1.1\r\n" + h + usual() + auth() + session(m_sid) +
                                               "Transfer-Encoding: chunked\r\n\r\n" +
                                               QByteArray::number(call("40", "get_usage", "{}").size(), 16) +
                                               "\r\n" + call("40", "get_usage", "{}") + "\r\n0\r\n\r\n"
                                        << 200 << QByteArray("\"result\"");
        QTest::newRow("HTTP/1.0") << post(call("41", "get_usage", "{}")).replace("HTTP/1.1", "HTTP/1.0")
                                  << 200 << QByteArray("\"result\"");
        QTest::newRow("HTTP/2 preface")
            << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 400 << QByteArray();
        QTest::newRow("PUT") << post("{}").replace("POST", "PUT") << 405 << QByteArray();
        QTest::newRow("TRACE") << post("{}").replace("POST", "TRACE") << 405 << QByteArray();
        // Paths
        QTest::newRow("unknown server")
            << post(call("42", "get_usage", "{}")).replace("POST /mcp", "POST /mcp/nope") << 404
            << QByteArray();
        QTest::newRow("dot-dot path")
            << post(call("43", "get_usage", "{}")).replace("POST /mcp", "POST /mcp/../admin/approvals") << 404
            << QByteArray();
        QTest::newRow("encoded slash")
            << post(call("44", "get_usage", "{}")).replace("POST /mcp", "POST /mcp%2Fdefault") << 404
            << QByteArray();
        QTest::newRow("absolute URI to elsewhere")
            << post(call("45", "get_usage", "{}")).replace("POST /mcp", "POST http://evil.example/mcp") << 404
            << QByteArray();
        // Sessions
        QTest::newRow("no session id")
            << post(call("46", "get_usage", "{}"), {}, false) << 400 << QByteArray("-32000");
        QTest::newRow("unknown session id")
            << post(call("47", "get_usage", "{}")).replace(m_sid, "0123456789abcdef") << 404
            << QByteArray("-32001");
        QTest::newRow("session id with a CRLF payload")
            << post(call("48", "get_usage", "{}")).replace(m_sid, QByteArray(m_sid + "\r\nX-Evil: 1")) << 200
            << QByteArray("\"result\"");
        QTest::newRow("another grant's session (stolen)")
            << post(call("49", "get_usage", "{}")).replace(m_sid, m_aliceSid).replace(auth(), auth(m_bob))
            << 404 << QByteArray("-32001");
        QTest::newRow("the launch token on a grant's session")
            << post(call("50", "get_usage", "{}")).replace(m_sid, m_aliceSid) << 404 << QByteArray("-32001");
        QTest::newRow("GET without a session")
            << "GET /mcp HTTP/1.1\r\n" + h + auth() + "Accept: text/event-stream\r\n\r\n"
            << 400 << QByteArray();
        QTest::newRow("DELETE an unknown session")
            << "DELETE /mcp HTTP/1.1\r\n" + h + auth() + session("ffff") + "\r\n"
            << 404 << QByteArray();
        QTest::newRow("unsupported protocol version")
            << post(call("51", "get_usage", "{}"), "MCP-Protocol-Version: 1999-01-01\r\n") << 400
            << QByteArray("-32000");
        // Host and Origin (DNS rebinding)
        QTest::newRow("Host evil.example")
            << post(call("52", "get_usage", "{}")).replace(h, "Host: evil.example\r\n") << 403
            << QByteArray();
        QTest::newRow("Host 127.0.0.1.evil.example")
            << post(call("53", "get_usage", "{}")).replace(h, "Host: 127.0.0.1.evil.example\r\n") << 403
            << QByteArray();
        QTest::newRow("no Host") << post(call("54", "get_usage", "{}")).replace(h, "") << 400 << QByteArray();
        QTest::newRow("two Hosts") << post(call("55", "get_usage", "{}"), "Host: evil.example\r\n") << 403
                                   << QByteArray();
        QTest::newRow("Origin evil.example")
            << post(call("56", "get_usage", "{}"), "Origin: http://evil.example\r\n") << 403 << QByteArray();
        QTest::newRow("Origin null") << post(call("57", "get_usage", "{}"), "Origin: null\r\n") << 403
                                     << QByteArray();
        QTest::newRow("Origin localhost.evil.example")
            << post(call("58", "get_usage", "{}"), "Origin: http://localhost.evil.example\r\n") << 403
            << QByteArray();
        QTest::newRow("Origin loopback is fine")
            << post(call("59", "get_usage", "{}"),
                    "Origin: http://127.0.0.1:" + QByteArray::number(port()) + "\r\n")
            << 200 << QByteArray("\"result\"");
        // Tokens
        QTest::newRow("no token") << post(call("60", "get_usage", "{}")).replace(auth(), "") << 401
                                  << QByteArray();
        QTest::newRow("wrong token")
            << post(call("61", "get_usage", "{}")).replace(auth(), auth("not-the-token")) << 401
            << QByteArray();
        QTest::newRow("token with a character less")
            << post(call("62", "get_usage", "{}"))
                   .replace(auth(), auth(ProxyProcess::token().toUtf8().chopped(1)))
            << 401 << QByteArray();
        QTest::newRow("Basic credentials")
            << post(call("63", "get_usage", "{}")).replace(auth(), "Authorization: Basic dXNlcjpwYXNz\r\n")
            << 401 << QByteArray();
        QTest::newRow("empty Bearer")
            << post(call("64", "get_usage", "{}")).replace(auth(), "Authorization: Bearer \r\n") << 401
            << QByteArray();
        QTest::newRow("token in the query string")
            << post(call("65", "get_usage", "{}"), {}, true)
                   .replace(auth(), "")
                   .replace("POST /mcp",
                            QByteArray("POST /mcp?access_token=" + ProxyProcess::token().toUtf8()))
            << 401 << QByteArray();
    }

    void hostileRequest()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QByteArray, expected);
        const RawResponse r = rawHttp(port(), request);
        QVERIFY2(r.status == status,
                 qPrintable(QStringLiteral("status %1, expected %2: %3")
                                .arg(r.status)
                                .arg(status)
                                .arg(QString::fromUtf8(r.head.left(200) + " | " + r.body.left(300)))));
        if (!expected.isEmpty())
            QVERIFY2(r.body.contains(expected), r.body.left(400).constData());
        ++m_cases;
        expectServedStill();
    }

    void duplicateInFlightIdIsRefused()
    {
        // update_agent_run waits for a person; the same id again while it waits is ambiguous.
        QTcpSocket held;
        held.connectToHost(QHostAddress::LocalHost, port());
        QVERIFY(held.waitForConnected(5000));
        held.write(post(call("\"dup\"", "update_agent_run", "{\"id\":\"run-1\"}")));
        QVERIFY(held.waitForBytesWritten(5000));
        QVERIFY(m_proxy.waitForLog(QRegularExpression(QStringLiteral("approval \\w+ needed")), 5000));
        const RawResponse r = rawHttp(port(), post(call("\"dup\"", "get_usage", "{}")));
        QCOMPARE(r.status, 409);
        QVERIFY2(r.body.contains("-32600") && r.body.contains("already in flight"), r.body.constData());
        ++m_cases;
        expectServedStill();
    }

    void slowlorisGets408AndOthersAreServed()
    {
        QTcpSocket slow;
        slow.connectToHost(QHostAddress::LocalHost, port());
        QVERIFY(slow.waitForConnected(5000));
        const QByteArray request = post(call("70", "get_usage", "{}"));
        QElapsedTimer t;
        t.start();
        QByteArray answer;
        for (int i = 0; i < request.size() && t.elapsed() < 20'000 && answer.isEmpty(); ++i) {
            slow.write(request.mid(i, 1)); // a byte a second
            slow.waitForBytesWritten(1000);
            if (slow.waitForReadyRead(1000))
                answer = slow.readAll();
            if (i % 3 == 0)
                expectServedStill();
        }
        QVERIFY2(answer.startsWith("HTTP/1.1 408"), answer.constData());
        qInfo("slowloris cut off after %lld ms", t.elapsed());
        ++m_cases;
    }

    void aRefusedBodySentInFullStillGetsItsAnswer()
    {
        // As most clients do: the whole request is written before anything is read. The proxy refuses it
        // at the headers, and must not close with the body unread (the kernel would reset the
        // connection and the 413 would be lost).
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, port());
        QVERIFY(client.waitForConnected(5000));
        client.write(post(call("71", "get_usage", "{\"q\":\"" + QByteArray(5 << 20, 'a') + "\"}")));
        QElapsedTimer t;
        t.start();
        while (client.bytesToWrite() > 0 && t.elapsed() < 10'000 &&
               client.state() == QAbstractSocket::ConnectedState)
            client.waitForBytesWritten(500);
        QCOMPARE(client.bytesToWrite(), 0);
        QByteArray answer;
        while (t.elapsed() < 10'000 && !answer.contains("\r\n\r\n")) {
            if (!client.waitForReadyRead(500) && client.state() != QAbstractSocket::ConnectedState)
                break;
            answer += client.readAll();
        }
        answer += client.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
        QVERIFY(answer.contains("Connection: close"));
        ++m_cases;
        expectServedStill();
    }

    void anOverLongStdioLineGetsOneAnswer()
    {
        // `serve --stdio`: one 20 MB line is one bad message (one -32600), the rest of it skipped, and
        // the next line is served.
        QProcess proxy;
        proxy.start(Gatehouse,
                    QStringList{QStringLiteral("serve"), QStringLiteral("--stdio"),
                                QStringLiteral("--policy"), policy()} +
                        isolated({QStringLiteral("--audit"), scratch(QStringLiteral("stdio-audit.sqlite")),
                                  QStringLiteral("--admin-file"), scratch(QStringLiteral("stdio-admin.json")),
                                  QStringLiteral("--pins"), scratch(QStringLiteral("stdio-pins.json"))}) +
                        stdioUpstream());
        QVERIFY(proxy.waitForStarted());
        const QByteArray init =
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
            R"("2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
        proxy.write("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"ping\",\"params\":{\"pad\":\"" +
                    QByteArray(20 << 20, 'a') + "\"}}\n" + init + "\n");
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20'000 && !out.contains("\"id\":1"))
            if (proxy.waitForReadyRead(500))
                out += proxy.readAllStandardOutput();
        proxy.closeWriteChannel();
        proxy.waitForFinished(5000);
        out += proxy.readAllStandardOutput();
        QCOMPARE(out.count("longer than"), 1);
        QVERIFY2(out.contains("\"id\":1,\"result\"") || out.contains("\"result\""),
                 out.left(400).constData());
        ++m_cases;
    }

    void aClientThatNeverReadsItsStreamHurtsNoOne()
    {
        QTcpSocket lazy;
        lazy.connectToHost(QHostAddress::LocalHost, port());
        QVERIFY(lazy.waitForConnected(5000));
        lazy.setReadBufferSize(1); // and never reads
        lazy.write("GET /mcp HTTP/1.1\r\n" + host() + auth() + session(m_sid) +
                   "Accept: text/event-stream\r\n\r\n");
        QVERIFY(lazy.waitForBytesWritten(5000));
        for (int i = 0; i < 50; ++i)
            expectServedStill();
        ++m_cases;
    }

    void cleanupTestCase()
    {
        const qint64 rss = rssKb(m_proxy.process().processId());
        qInfo("%d hostile cases; proxy RSS %lld KB at the start, %lld KB after", m_cases, m_rssStart, rss);
        QVERIFY(m_cases >= 60);
        QCOMPARE(m_proxy.process().state(), QProcess::Running);
        if (qEnvironmentVariableIsEmpty("ASAN_OPTIONS")) // ASan's quarantine and shadow memory inflate RSS
            QVERIFY2(rss < 150 * 1024, "memory is not bounded");
    }
};

QTEST_GUILESS_MAIN(TestHostileE2E)
#include "tst_hostile_e2e.moc"
