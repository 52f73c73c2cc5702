// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/ArgumentPath.h"

#include "json/JsonWriter.h"
#include <QJsonDocument>
#include <QtTest>

using namespace gatehouse;

class TestArgumentPath : public QObject
{
    Q_OBJECT
private slots:
    void resolve_data();
    void resolve();
    void invalid_data();
    void invalid();
};

static QJsonObject sampleArguments()
{
    return QJsonDocument::fromJson(R"({
        "amount": 250,
        "a": {"b": [10, 20, {"c": "deep"}]},
        "list": [[1, 2], [3]],
        "dotted.key": true,
        "empty": null
    })")
        .object();
}

void TestArgumentPath::resolve_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("expected"); // canonical JSON, or "undefined"

    QTest::newRow("whole")
        << "args"
        << QByteArray(
               R"({"a":{"b":[10,20,{"c":"deep"}]},"amount":250,"dotted.key":true,"empty":null,"list":[[1,2],[3]]})");
    QTest::newRow("member") << "args.amount" << QByteArray("250");
    QTest::newRow("nested") << "args.a.b" << QByteArray("[10,20,{\"c\":\"deep\"}]");
    QTest::newRow("index") << "args.a.b[1]" << QByteArray("20");
    QTest::newRow("index then member") << "args.a.b[2].c" << QByteArray("\"deep\"");
    QTest::newRow("index of index") << "args.list[0][1]" << QByteArray("2");
    QTest::newRow("quoted") << "args[\"dotted.key\"]" << QByteArray("true");
    QTest::newRow("null is a value") << "args.empty" << QByteArray("null");
    QTest::newRow("missing") << "args.nope" << QByteArray("undefined");
    QTest::newRow("below a scalar") << "args.amount.x" << QByteArray("undefined");
    QTest::newRow("index out of range") << "args.a.b[3]" << QByteArray("undefined");
    QTest::newRow("index on object") << "args.a[0]" << QByteArray("undefined");
    QTest::newRow("member of array") << "args.list.x" << QByteArray("undefined");
}

void TestArgumentPath::resolve()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);
    QString error;
    const auto p = ArgumentPath::parse(path, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->text(), path);
    const QJsonValue v = p->resolve(sampleArguments());
    QCOMPARE(v.isUndefined() ? QByteArray("undefined") : JsonWriter::canonical(v), expected);
}

void TestArgumentPath::invalid_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("because");
    QTest::newRow("no root") << "amount"
                             << "starts with \"args\"";
    QTest::newRow("other root") << "params.amount"
                                << "starts with \"args\"";
    QTest::newRow("root prefix") << "argsx"
                                 << "starts with \"args\"";
    QTest::newRow("empty name") << "args..a"
                                << "empty name";
    QTest::newRow("trailing dot") << "args.a."
                                  << "empty name";
    QTest::newRow("open bracket") << "args.a["
                                  << "expected a non-negative index";
    QTest::newRow("negative index") << "args.a[-1]"
                                    << "expected a non-negative index";
    QTest::newRow("letters in index") << "args.a[x]"
                                      << "expected a non-negative index";
    QTest::newRow("unterminated quote") << "args[\"a"
                                        << "unterminated";
    QTest::newRow("stray bracket") << "args.a]"
                                   << "unexpected ']'";
}

void TestArgumentPath::invalid()
{
    QFETCH(QString, path);
    QFETCH(QString, because);
    QString error;
    QVERIFY(!ArgumentPath::parse(path, &error));
    QVERIFY2(error.contains(because), qPrintable(error));
}

QTEST_APPLESS_MAIN(TestArgumentPath)
#include "tst_argumentpath.moc"
