// SPDX-License-Identifier: GPL-3.0-or-later
#include "json/JsonSource.h"
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using namespace gatehouse;

class TestJsonSource : public QObject
{
    Q_OBJECT
private slots:
    void parsesValues();
    void numbersKeepIntegers();
    void escapes();
    void remembersPositions();
    void positionsCountCodePoints();
    void duplicateKeys();
    void syntaxErrors_data();
    void syntaxErrors();
    void depthLimit();
    void invalidUtf8();
    void fallsBackToParentPosition();
};

void TestJsonSource::parsesValues()
{
    const auto s = JsonSource::parse(R"({"a":[1,true,null,"x",{"b":-2.5e2}],"c":{}})");
    QVERIFY(s.diagnostics().isEmpty());
    const QJsonObject o = s.root().toObject();
    const QJsonArray a = o.value(u"a").toArray();
    QCOMPARE(a.size(), 5);
    QCOMPARE(a.at(0).toInt(), 1);
    QCOMPARE(a.at(1).toBool(), true);
    QVERIFY(a.at(2).isNull());
    QCOMPARE(a.at(3).toString(), QStringLiteral("x"));
    QCOMPARE(a.at(4).toObject().value(u"b").toDouble(), -250.0);
    QVERIFY(o.value(u"c").isObject());
}

void TestJsonSource::numbersKeepIntegers()
{
    const auto s = JsonSource::parse("[9007199254740993, 0, -0.5, 1e400]");
    // 1e400 is out of range: a syntax error rather than a silent infinity.
    QVERIFY(s.hasSyntaxError());
    const auto ok = JsonSource::parse("[9007199254740993, 0, -0.5]");
    QVERIFY(!ok.hasSyntaxError());
    QCOMPARE(ok.root().toArray().at(0).toInteger(), 9007199254740993LL);
    QCOMPARE(ok.root().toArray().at(2).toDouble(), -0.5);
}

void TestJsonSource::escapes()
{
    const auto s = JsonSource::parse(R"(["a\"b\\c\/d\n\t\u00e9\ud83d\ude00"])");
    QVERIFY(s.diagnostics().isEmpty());
    QCOMPARE(s.root().toArray().at(0).toString(), QStringLiteral("a\"b\\c/d\n\t\u00e9\U0001F600"));
}

void TestJsonSource::remembersPositions()
{
    const QByteArray text = "{\n  \"tools\": {\n    \"x\": {\"limits\": [ 1, {\"max\": 0} ]}\n  }\n}\n";
    const auto s = JsonSource::parse(text);
    QVERIFY(s.diagnostics().isEmpty());
    const Diagnostic v = s.at(QStringLiteral("/tools/x/limits/1/max"), QStringLiteral("m"));
    QCOMPARE(v.line, 3);
    QCOMPARE(v.column, 34);
    const Diagnostic k = s.atKey(QStringLiteral("/tools/x/limits/1/max"), QStringLiteral("m"));
    QCOMPARE(k.line, 3);
    QCOMPARE(k.column, 27);
    const Diagnostic root = s.at(QString(), QStringLiteral("m"));
    QCOMPARE(root.line, 1);
    QCOMPARE(root.column, 1);
}

void TestJsonSource::positionsCountCodePoints()
{
    // "é" is two bytes in UTF-8 but one column for a person.
    const auto s = JsonSource::parse("{\"é\": 1, \"b\": 2}");
    QCOMPARE(s.atKey(QStringLiteral("/b"), {}).column, 10);
}

void TestJsonSource::duplicateKeys()
{
    const auto s = JsonSource::parse("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2},\n \"a\": 3}");
    QVERIFY(!s.hasSyntaxError());
    QCOMPARE(s.diagnostics().size(), 2);
    QCOMPARE(s.diagnostics().at(0).pointer, QStringLiteral("/b/c"));
    QCOMPARE(s.diagnostics().at(0).line, 2);
    QCOMPARE(s.diagnostics().at(0).column, 16);
    QCOMPARE(s.diagnostics().at(1).pointer, QStringLiteral("/a"));
    QCOMPARE(s.diagnostics().at(1).line, 3);
    QCOMPARE(s.diagnostics().at(1).message, QStringLiteral("duplicate key \"a\""));
    QCOMPARE(s.root().toObject().value(u"a").toInt(), 3); // the last one wins, as in JavaScript
}

void TestJsonSource::syntaxErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("messageStart");

    QTest::newRow("empty") << QByteArray("") << "" << 1 << 1 << "unexpected end of text";
    QTest::newRow("trailing comma in object")
        << QByteArray("{\"a\": 1,\n}") << "" << 2 << 1 << "trailing comma";
    QTest::newRow("trailing comma in array")
        << QByteArray("{\"a\": [1,]}") << "/a" << 1 << 10 << "trailing comma";
    QTest::newRow("missing colon") << QByteArray("{\"a\" 1}") << "" << 1 << 6 << "expected ':'";
    QTest::newRow("unquoted key") << QByteArray("{a: 1}") << "" << 1 << 2 << "expected a member name";
    QTest::newRow("single quotes") << QByteArray("{\"a\": 'x'}") << "/a" << 1 << 7 << "unexpected character";
    QTest::newRow("unterminated string")
        << QByteArray("{\"a\": \"x") << "/a" << 1 << 9 << "unterminated string";
    QTest::newRow("bad escape") << QByteArray("[\"\\x\"]") << "/0" << 1 << 4 << "invalid escape";
    QTest::newRow("leading zero") << QByteArray("[01]") << "" << 1 << 3 << "expected ',' or ']'";
    QTest::newRow("bare minus") << QByteArray("[-]") << "/0" << 1 << 3 << "invalid number";
    QTest::newRow("garbage after") << QByteArray("{} x") << "" << 1 << 4 << "unexpected text after";
    QTest::newRow("comment") << QByteArray("{\n// no\n}") << "" << 2 << 1 << "expected a member name";
    QTest::newRow("missing comma") << QByteArray("{\"a\": 1\n \"b\": 2}") << "" << 2 << 2
                                   << "expected ',' or '}'";
    QTest::newRow("truncated") << QByteArray("{\"a\": [1, 2") << "/a" << 1 << 12 << "unexpected end of text";
    QTest::newRow("raw newline in string")
        << QByteArray("[\"a\nb\"]") << "/0" << 1 << 4 << "unterminated string";
    QTest::newRow("true misspelt") << QByteArray("[tru]") << "/0" << 1 << 2 << "unexpected character";
}

void TestJsonSource::syntaxErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, pointer);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, messageStart);
    const auto s = JsonSource::parse(text);
    QVERIFY(s.hasSyntaxError());
    QVERIFY(s.root().isUndefined());
    QCOMPARE(s.diagnostics().size(), 1);
    const Diagnostic& d = s.diagnostics().first();
    QCOMPARE(d.pointer, pointer);
    QCOMPARE(d.line, line);
    QCOMPARE(d.column, column);
    QVERIFY2(d.message.startsWith(messageStart), qPrintable(d.message));
}

void TestJsonSource::depthLimit()
{
    const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
    const auto s = JsonSource::parse(deep);
    QVERIFY(s.hasSyntaxError());
    QVERIFY(s.diagnostics().first().message.contains(u"deeper than"));
    const QByteArray fine = QByteArray(JsonSource::MaxDepth, '[') + QByteArray(JsonSource::MaxDepth, ']');
    QVERIFY(!JsonSource::parse(fine).hasSyntaxError());
}

void TestJsonSource::invalidUtf8()
{
    const auto s = JsonSource::parse("{\"a\": \"\xff\xfe\"}");
    QVERIFY(s.hasSyntaxError());
    QCOMPARE(s.diagnostics().first().message, QStringLiteral("the text is not valid UTF-8"));
}

void TestJsonSource::fallsBackToParentPosition()
{
    const auto s = JsonSource::parse("{\n  \"tools\": {\"x\": {}}\n}");
    // A missing member is reported where its object starts.
    const Diagnostic d = s.at(QStringLiteral("/tools/x/limits"), QStringLiteral("m"));
    QCOMPARE(d.pointer, QStringLiteral("/tools/x/limits"));
    QCOMPARE(d.line, 2);
    QCOMPARE(d.column, 18);
}

QTEST_APPLESS_MAIN(TestJsonSource)
#include "tst_jsonsource.moc"
