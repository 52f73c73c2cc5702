// SPDX-License-Identifier: GPL-3.0-or-later
// The stateless era's Mcp-Param-* headers (SEP-2243) against a tools/call's arguments: what is accepted
// (plain, Base64, surrounding whitespace, empty strings, numbers and booleans as text) and what is
// refused with -32020 (missing, different, broken Base64, a header for an argument that is not there).
#include "http/HttpRequest.h"
#include "mcp/JsonRpc.h"
#include "mcp/StatelessEra.h"
#include "proxy/StatelessRequest.h"

#include <QJsonArray>
#include <QtTest>

using namespace gatehouse;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// tools/list of a server whose "run" tool mirrors three arguments in headers.
stateless::ParamHeaders known()
{
    const auto property = [](const char* header, const char* type) {
        return QJsonObject{{QStringLiteral("type"), QLatin1String(type)},
                           {QStringLiteral("x-mcp-header"), QLatin1String(header)}};
    };
    const QJsonObject list{
        {QStringLiteral("tools"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("run")},
             {QStringLiteral("inputSchema"),
              QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                          {QStringLiteral("properties"),
                           QJsonObject{{QStringLiteral("region"), property("Region", "string")},
                                       {QStringLiteral("count"), property("Count", "integer")},
                                       {QStringLiteral("dry"), property("Dry", "boolean")}}}}}}}}};
    stateless::ParamHeaders headers;
    stateless::collectParamHeaders(list, &headers);
    return headers;
}

QJsonObject run(const QJsonObject& arguments)
{
    return jsonrpc::makeRequest(
        1, QStringLiteral("tools/call"),
        {{QStringLiteral("name"), QStringLiteral("run")}, {QStringLiteral("arguments"), arguments}});
}

HttpRequest with(const QList<QPair<QByteArray, QByteArray>>& headers)
{
    HttpRequest r;
    r.method = "POST";
    r.headers = headers;
    return r;
}

} // namespace

class TestStatelessRequest : public QObject
{
    Q_OBJECT
private slots:
    void paramHeaders_data()
    {
        QTest::addColumn<QJsonObject>("arguments");
        QTest::addColumn<Headers>("headers");
        QTest::addColumn<bool>("accepted");
        using H = Headers;
        const QJsonObject eu{{QStringLiteral("region"), QStringLiteral("eu")}};
        QTest::newRow("plain") << eu << H{{"mcp-param-region", "eu"}} << true;
        QTest::newRow("whitespace around") << eu << H{{"mcp-param-region", "  eu "}} << true;
        QTest::newRow("missing") << eu << H{} << false;
        QTest::newRow("different") << eu << H{{"mcp-param-region", "us"}} << false;
        QTest::newRow("base64") << QJsonObject{{QStringLiteral("region"), QStringLiteral("Hello")}}
                                << H{{"mcp-param-region", "=?base64?SGVsbG8=?="}} << true;
        QTest::newRow("base64 without padding")
            << QJsonObject{{QStringLiteral("region"), QStringLiteral("Hello")}}
            << H{{"mcp-param-region", "=?base64?SGVsbG8?="}} << false;
        QTest::newRow("base64 with other characters")
            << QJsonObject{{QStringLiteral("region"), QStringLiteral("Hello")}}
            << H{{"mcp-param-region", "=?base64?SGVs!!!bG8=?="}} << false;
        QTest::newRow("no base64 suffix: literal")
            << QJsonObject{{QStringLiteral("region"), QStringLiteral("=?base64?SGVsbG8=")}}
            << H{{"mcp-param-region", "=?base64?SGVsbG8="}} << true;
        QTest::newRow("empty string") << QJsonObject{{QStringLiteral("region"), QString()}}
                                      << H{{"mcp-param-region", QByteArray()}} << true;
        QTest::newRow("integer") << QJsonObject{{QStringLiteral("count"), 42}} << H{{"mcp-param-count", "42"}}
                                 << true;
        QTest::newRow("fraction") << QJsonObject{{QStringLiteral("count"), 1.5}}
                                  << H{{"mcp-param-count", "1.5"}} << true;
        QTest::newRow("fraction is not zero")
            << QJsonObject{{QStringLiteral("count"), 1.5}} << H{{"mcp-param-count", "0"}} << false;
        QTest::newRow("a decimal as written")
            << QJsonObject{{QStringLiteral("count"), 0.1}} << H{{"mcp-param-count", "0.1"}} << true;
        QTest::newRow("an integer past 2^53 has no header")
            << QJsonObject{{QStringLiteral("count"), 9007199254740994.0}} << H{} << true;
        QTest::newRow("boolean") << QJsonObject{{QStringLiteral("dry"), true}} << H{{"mcp-param-dry", "true"}}
                                 << true;
        QTest::newRow("header without its argument")
            << QJsonObject() << H{{"mcp-param-region", "eu"}} << false;
        QTest::newRow("null argument, no header")
            << QJsonObject{{QStringLiteral("region"), QJsonValue::Null}} << H{} << true;
    }

    void paramHeaders()
    {
        QFETCH(QJsonObject, arguments);
        QFETCH(Headers, headers);
        QFETCH(bool, accepted);
        const std::optional<StatelessRefusal> refused =
            checkParamHeaders(run(arguments), with(headers), known());
        QCOMPARE(!refused.has_value(), accepted);
        if (refused) {
            QCOMPARE(refused->status, 400);
            QCOMPARE(refused->code, -32020);
        }
    }

    void theOutgoingHeadersAgreeWithTheCheck()
    {
        // What Gatehouse sends a server of this era is what it would accept from a client.
        const QJsonObject request = run({{QStringLiteral("region"), QStringLiteral("Zürich")},
                                         {QStringLiteral("count"), 1.5},
                                         {QStringLiteral("dry"), false}});
        QList<QPair<QByteArray, QByteArray>> lower;
        for (const auto& [name, value] : stateless::paramHeadersFor(request, known()))
            lower.append({name.toLower(), value});
        QCOMPARE(lower.size(), 3);
        QVERIFY(!checkParamHeaders(request, with(lower), known()));
    }
};

QTEST_GUILESS_MAIN(TestStatelessRequest)
#include "tst_statelessrequest.moc"
