// SPDX-License-Identifier: GPL-3.0-or-later
#include "mcp/JsonRpc.h"
#include "mcp/ToolRefusal.h"

#include <QJsonArray>
#include <QtTest>

using namespace gatehouse;

Q_DECLARE_METATYPE(gatehouse::jsonrpc::Kind)

class TestJsonRpc : public QObject
{
    Q_OBJECT
private slots:
    void classify_data();
    void classify();
    void idKeysKeepTypesApart();
    void refusalsOnTheWire();
};

void TestJsonRpc::classify_data()
{
    using jsonrpc::Kind;
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<int>("error");
    QTest::newRow("request") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping"})") << Kind::Request
                             << 0;
    QTest::newRow("string id") << QByteArray(R"({"jsonrpc":"2.0","id":"a","method":"ping"})") << Kind::Request
                               << 0;
    QTest::newRow("notification") << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
                                  << Kind::Notification << 0;
    QTest::newRow("result") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{}})") << Kind::Response << 0;
    QTest::newRow("error") << QByteArray(R"({"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"x"}})")
                           << Kind::Response << 0;
    QTest::newRow("not json") << QByteArray("{") << Kind::Invalid << int(jsonrpc::ParseError);
    QTest::newRow("batch") << QByteArray(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])") << Kind::Invalid
                           << int(jsonrpc::InvalidRequest);
    // Valid JSON that is not an object: an invalid request, not a parse error (JSON-RPC 2.0, section 5.1).
    QTest::newRow("scalar") << QByteArray("3") << Kind::Invalid << int(jsonrpc::InvalidRequest);
    QTest::newRow("null") << QByteArray("null") << Kind::Invalid << int(jsonrpc::InvalidRequest);
    QTest::newRow("not JSON") << QByteArray("3 4") << Kind::Invalid << int(jsonrpc::ParseError);
    QTest::newRow("wrong version") << QByteArray(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")
                                   << Kind::Invalid << int(jsonrpc::InvalidRequest);
    QTest::newRow("numeric method") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":7})") << Kind::Invalid
                                    << int(jsonrpc::InvalidRequest);
    QTest::newRow("null id request") << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})")
                                     << Kind::Invalid << int(jsonrpc::InvalidRequest);
    QTest::newRow("fractional id") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})")
                                   << Kind::Invalid << int(jsonrpc::InvalidRequest);
    QTest::newRow("array params") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})")
                                  << Kind::Invalid << int(jsonrpc::InvalidRequest);
    QTest::newRow("result and error") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{},"error":{}})")
                                      << Kind::Invalid << int(jsonrpc::InvalidRequest);
    QTest::newRow("response without id")
        << QByteArray(R"({"jsonrpc":"2.0","result":{}})") << Kind::Invalid << int(jsonrpc::InvalidRequest);
}

void TestJsonRpc::classify()
{
    QFETCH(QByteArray, text);
    QFETCH(jsonrpc::Kind, kind);
    QFETCH(int, error);
    const jsonrpc::Message m = jsonrpc::parse(text);
    QCOMPARE(int(m.kind), int(kind));
    QCOMPARE(m.errorCode, error);
}

void TestJsonRpc::idKeysKeepTypesApart()
{
    QVERIFY(jsonrpc::idKey(QJsonValue(1)) != jsonrpc::idKey(QJsonValue(QStringLiteral("1"))));
    QCOMPARE(jsonrpc::idKey(QJsonValue(1)), jsonrpc::idKey(QJsonValue(1.0)));
}

void TestJsonRpc::refusalsOnTheWire()
{
    Decision hidden;
    hidden.verdict = Verdict::Hidden;
    const QJsonObject h = toolRefusalResponse(7, QStringLiteral("delete_agent_run"), hidden);
    QCOMPARE(h[QStringLiteral("error")][QStringLiteral("code")].toInt(), -32602);
    QCOMPARE(h[QStringLiteral("error")][QStringLiteral("message")].toString(),
             QStringLiteral("Unknown tool: delete_agent_run"));
    QCOMPARE(h[QStringLiteral("id")].toInt(), 7);

    Decision denied;
    denied.verdict = Verdict::Denied;
    denied.message = QStringLiteral("Charges need a person.");
    const QJsonObject d = toolRefusalResponse(QStringLiteral("x"), QStringLiteral("create_charge"), denied);
    const QJsonObject result = d[QStringLiteral("result")].toObject();
    QCOMPARE(result[QStringLiteral("isError")].toBool(), true);
    QCOMPARE(result[QStringLiteral("content")][0][QStringLiteral("text")].toString(),
             QStringLiteral("Denied by policy: Charges need a person."));
    const QJsonObject auth =
        result[QStringLiteral("_meta")][QStringLiteral("io.modelcontextprotocol/authorization")].toObject();
    QCOMPARE(auth[QStringLiteral("reason")].toString(), QStringLiteral("insufficient_authorization"));
    QCOMPARE(auth[QStringLiteral("remediation")].toString(), QStringLiteral("unavailable"));
    QVERIFY(!auth.contains(u"retryAfterSeconds"));

    Decision limited;
    limited.verdict = Verdict::Limited;
    limited.message = QStringLiteral("Rate limit reached for t: 1 per minute (counter c). Retry in 12 s.");
    limited.retryAfterSeconds = 12;
    const QJsonObject l =
        toolRefusalResponse(1, QStringLiteral("t"), limited)[QStringLiteral("result")].toObject();
    QCOMPARE(l[QStringLiteral("content")][0][QStringLiteral("text")].toString(), limited.message);
    QCOMPARE(l[QStringLiteral("_meta")][QStringLiteral("io.modelcontextprotocol/authorization")]
              [QStringLiteral("retryAfterSeconds")]
                  .toInt(),
             12);
}

QTEST_APPLESS_MAIN(TestJsonRpc)
#include "tst_jsonrpc.moc"
