// SPDX-License-Identifier: GPL-3.0-or-later
#include "json/JsonWriter.h"
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace gatehouse;

class TestJsonWriter : public QObject
{
    Q_OBJECT
private slots:
    void prettyKeepsCallerOrder();
    void emptyContainersInline();
    void canonicalSortsKeys();
    void numbers_data();
    void numbers();
    void escapesStrings();
};

void TestJsonWriter::prettyKeepsCallerOrder()
{
    JsonWriter w;
    w.beginObject();
    w.member(QStringLiteral("zeta"), 1);
    w.member(QStringLiteral("alpha"), QJsonArray{1, QStringLiteral("two")});
    w.endObject();
    QCOMPARE(w.finish(), QByteArray("{\n  \"zeta\": 1,\n  \"alpha\": [\n    1,\n    \"two\"\n  ]\n}\n"));
}

void TestJsonWriter::emptyContainersInline()
{
    JsonWriter w;
    w.beginObject();
    w.member(QStringLiteral("a"), QJsonObject());
    w.member(QStringLiteral("b"), QJsonArray());
    w.endObject();
    QCOMPARE(w.finish(), QByteArray("{\n  \"a\": {},\n  \"b\": []\n}\n"));
}

void TestJsonWriter::canonicalSortsKeys()
{
    const QJsonObject o{
        {QStringLiteral("b"), 1},
        {QStringLiteral("a"), QJsonObject{{QStringLiteral("d"), true}, {QStringLiteral("c"), QJsonValue()}}}};
    QCOMPARE(JsonWriter::canonical(o), QByteArray(R"({"a":{"c":null,"d":true},"b":1})"));
}

void TestJsonWriter::numbers_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("int") << 10.0 << QByteArray("10");
    QTest::newRow("negative") << -3.0 << QByteArray("-3");
    QTest::newRow("fraction") << 0.1 << QByteArray("0.1");
    QTest::newRow("big") << 1e20 << QByteArray("1e+20");
    QTest::newRow("2^53") << 9007199254740991.0 << QByteArray("9007199254740991");
}

void TestJsonWriter::numbers()
{
    QFETCH(double, value);
    QFETCH(QByteArray, text);
    QByteArray out;
    JsonWriter::appendNumber(out, value);
    QCOMPARE(out, text);
    // What we write, Qt reads back as the same number.
    QCOMPARE(QJsonDocument::fromJson("[" + out + "]").array().at(0).toDouble(), value);
}

void TestJsonWriter::escapesStrings()
{
    QByteArray out;
    JsonWriter::appendString(out, QStringLiteral("q\"b\\n\n\x01é"));
    QCOMPARE(out, QByteArray("\"q\\\"b\\\\n\\n\\u0001\xc3\xa9\""));
}

QTEST_APPLESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
