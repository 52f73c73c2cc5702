// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/PolicyParser.h"

#include <QJsonDocument>
#include <QtTest>

using namespace gatehouse;

// Each row: one condition (as policy JSON) against one argument object, and whether it holds.
// Conditions go through the real parser, so the regex compilation and value checks are the real ones.
class TestCondition : public QObject
{
    Q_OBJECT
private slots:
    void ops_data();
    void ops();
    void jsonEquality();
};

void TestCondition::ops_data()
{
    QTest::addColumn<QByteArray>("condition");
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<bool>("holds");

    auto row = [](const char* name, const char* condition, const char* arguments, bool holds) {
        QTest::newRow(name) << QByteArray(condition) << QByteArray(arguments) << holds;
    };
    // eq / neq
    row("eq string", R"({"path":"args.mode","op":"eq","value":"deep"})", R"({"mode":"deep"})", true);
    row("eq string differs", R"({"path":"args.mode","op":"eq","value":"deep"})", R"({"mode":"Deep"})", false);
    row("eq int vs double", R"({"path":"args.n","op":"eq","value":1})", R"({"n":1.0})", true);
    row("eq numeric string", R"({"path":"args.n","op":"eq","value":5})", R"({"n":"5"})", true);
    row("eq string value not coerced", R"({"path":"args.n","op":"eq","value":"5"})", R"({"n":5})", false);
    row("eq bool", R"({"path":"args.f","op":"eq","value":true})", R"({"f":true})", true);
    row("eq bool vs string", R"({"path":"args.f","op":"eq","value":true})", R"({"f":"true"})", false);
    row("eq null", R"({"path":"args.x","op":"eq","value":null})", R"({"x":null})", true);
    row("eq object deep", R"({"path":"args.o","op":"eq","value":{"a":[1,2]}})", R"({"o":{"a":[1,2.0]}})",
        true);
    row("eq object differs", R"({"path":"args.o","op":"eq","value":{"a":[1,2]}})", R"({"o":{"a":[2,1]}})",
        false);
    row("eq missing", R"({"path":"args.x","op":"eq","value":1})", R"({})", false);
    row("neq differs", R"({"path":"args.mode","op":"neq","value":"deep"})", R"({"mode":"quick"})", true);
    row("neq same", R"({"path":"args.mode","op":"neq","value":"deep"})", R"({"mode":"deep"})", false);
    row("neq missing", R"({"path":"args.mode","op":"neq","value":"deep"})", R"({})", true);
    // in / not_in
    row("in string", R"({"path":"args.p","op":"in","value":["reddit","twitter"]})", R"({"p":"twitter"})",
        true);
    row("in absent value", R"({"path":"args.p","op":"in","value":["reddit"]})", R"({"p":"x"})", false);
    row("in number", R"({"path":"args.n","op":"in","value":[1,2,3]})", R"({"n":2.0})", true);
    row("in numeric string", R"({"path":"args.n","op":"in","value":[1,2,3]})", R"({"n":"3"})", true);
    row("in missing", R"({"path":"args.n","op":"in","value":[1]})", R"({})", false);
    row("not_in outside", R"({"path":"args.p","op":"not_in","value":["reddit"]})", R"({"p":"x"})", true);
    row("not_in inside", R"({"path":"args.p","op":"not_in","value":["reddit"]})", R"({"p":"reddit"})", false);
    row("not_in missing", R"({"path":"args.p","op":"not_in","value":["reddit"]})", R"({})", true);
    // lt / lte / gt / gte
    row("lt number", R"({"path":"args.n","op":"lt","value":100})", R"({"n":99.5})", true);
    row("lt equal", R"({"path":"args.n","op":"lt","value":100})", R"({"n":100})", false);
    row("lte equal", R"({"path":"args.n","op":"lte","value":100})", R"({"n":100})", true);
    row("gt number", R"({"path":"args.n","op":"gt","value":100})", R"({"n":101})", true);
    row("gt smaller", R"({"path":"args.n","op":"gt","value":100})", R"({"n":7})", false);
    row("gt numeric string", R"({"path":"args.n","op":"gt","value":100})", R"({"n":"250"})", true);
    row("gt numbers not text", R"({"path":"args.n","op":"gt","value":100})", R"({"n":"9"})", false);
    row("gt non-numeric string", R"({"path":"args.n","op":"gt","value":100})", R"({"n":"lots"})", false);
    row("gte equal", R"({"path":"args.n","op":"gte","value":-1})", R"({"n":-1})", true);
    row("gt bool", R"({"path":"args.n","op":"gt","value":0})", R"({"n":true})", false);
    row("lt missing", R"({"path":"args.n","op":"lt","value":5})", R"({})", false);
    row("lt iso dates", R"({"path":"args.d","op":"lt","value":"2026-01-01"})", R"({"d":"2025-12-31"})", true);
    row("gte iso dates", R"({"path":"args.d","op":"gte","value":"2026-01-01"})", R"({"d":"2025-12-31"})",
        false);
    row("lt string vs number", R"({"path":"args.d","op":"lt","value":"b"})", R"({"d":1})", false);
    // regex
    row("regex match", R"({"path":"args.q","op":"regex","value":"^rolli"})", R"({"q":"rolli rocks"})", true);
    row("regex search", R"({"path":"args.q","op":"regex","value":"ock"})", R"({"q":"rolli rocks"})", true);
    row("regex no match", R"({"path":"args.q","op":"regex","value":"^x"})", R"({"q":"rolli"})", false);
    row("regex on number", R"({"path":"args.id","op":"regex","value":"^\\d{3}$"})", R"({"id":123})", true);
    row("regex on array", R"({"path":"args.a","op":"regex","value":"x"})", R"({"a":["x"]})", false);
    row("regex missing", R"({"path":"args.q","op":"regex","value":".*"})", R"({})", false);
    row("regex unicode", R"({"path":"args.q","op":"regex","value":"^é+$"})", R"({"q":"éé"})", true);
    // contains
    row("contains substring", R"({"path":"args.q","op":"contains","value":"drop"})",
        R"({"q":"please drop table"})", true);
    row("contains substring absent", R"({"path":"args.q","op":"contains","value":"drop"})", R"({"q":"keep"})",
        false);
    row("contains array element", R"({"path":"args.p","op":"contains","value":"reddit"})",
        R"({"p":["x","reddit"]})", true);
    row("contains array number", R"({"path":"args.p","op":"contains","value":2})", R"({"p":[1,2.0]})", true);
    row("contains array missing", R"({"path":"args.p","op":"contains","value":"reddit"})", R"({"p":["x"]})",
        false);
    row("contains object key", R"({"path":"args.m","op":"contains","value":"secret"})",
        R"({"m":{"secret":1}})", true);
    row("contains on number", R"({"path":"args.n","op":"contains","value":"1"})", R"({"n":12})", false);
    row("contains missing", R"({"path":"args.q","op":"contains","value":"a"})", R"({})", false);
    // exists
    row("exists present", R"({"path":"args.x","op":"exists"})", R"({"x":0})", true);
    row("exists null counts", R"({"path":"args.x","op":"exists","value":true})", R"({"x":null})", true);
    row("exists absent", R"({"path":"args.x","op":"exists","value":true})", R"({})", false);
    row("exists false absent", R"({"path":"args.x","op":"exists","value":false})", R"({})", true);
    row("exists false present", R"({"path":"args.x","op":"exists","value":false})", R"({"x":1})", false);
    row("exists nested", R"({"path":"args.a.b[1]","op":"exists"})", R"({"a":{"b":[0,0]}})", true);
    row("exists nested out of range", R"({"path":"args.a.b[2]","op":"exists"})", R"({"a":{"b":[0,0]}})",
        false);
}

void TestCondition::ops()
{
    QFETCH(QByteArray, condition);
    QFETCH(QByteArray, arguments);
    QFETCH(bool, holds);
    const QByteArray policy =
        R"({"version":"1","default":"deny","tools":{"t":{"require":[{"conditions":[)" + condition + "]}]}}}";
    const PolicyLoad load = PolicyParser::parse(policy);
    QVERIFY2(load.policy, load.errors.isEmpty() ? "" : qPrintable(load.errors.first().toString()));
    const Condition& c = load.policy->tool(QStringLiteral("t"))->require->first().conditions->first();
    const QJsonObject args = QJsonDocument::fromJson(arguments).object();
    QCOMPARE(c.holds(args), holds);
}

void TestCondition::jsonEquality()
{
    QVERIFY(jsonEquals(QJsonValue(1), QJsonValue(1.0)));
    QVERIFY(!jsonEquals(QJsonValue(1), QJsonValue(QStringLiteral("1"))));
    QVERIFY(jsonEquals(QJsonArray{1, QJsonObject{{QStringLiteral("a"), true}}},
                       QJsonArray{1.0, QJsonObject{{QStringLiteral("a"), true}}}));
    QVERIFY(!jsonEquals(QJsonObject{{QStringLiteral("a"), 1}}, QJsonObject{{QStringLiteral("b"), 1}}));
    QVERIFY(!jsonEquals(QJsonValue(QJsonValue::Null), QJsonValue(false)));
}

QTEST_APPLESS_MAIN(TestCondition)
#include "tst_condition.moc"
