// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/RiskGuess.h"

#include <QJsonDocument>
#include <QtTest>

using namespace gatehouse;

class TestRiskGuess : public QObject
{
    Q_OBJECT
private slots:
    void guess_data();
    void guess();
};

void TestRiskGuess::guess_data()
{
    QTest::addColumn<QByteArray>("tool");
    QTest::addColumn<QString>("riskClass");
    QTest::addColumn<QString>("reasonPart");
    auto row = [](const char* name, const char* tool, const char* cls, const char* reason) {
        QTest::newRow(name) << QByteArray(tool) << QString::fromLatin1(cls) << QString::fromLatin1(reason);
    };
    row("get", R"({"name":"get_agent_run"})", "Read", "\"get\"");
    row("leading verb beats a later noun", R"({"name":"list_agent_schedule_runs"})", "Read", "\"list\"");
    row("camelCase", R"({"name":"createInvoiceDraft"})", "Financial", "\"invoice\"");
    row("kebab", R"({"name":"send-email"})", "Execute", "\"send\"");
    row("delete anywhere wins", R"({"name":"get_and_delete_item"})", "Destructive", "\"delete\"");
    row("refund", R"({"name":"stripe.refund"})", "Financial", "\"refund\"");
    row("write verb", R"({"name":"update_profile"})", "Write", "\"update\"");
    row("readOnlyHint tames a verb", R"({"name":"run_report","annotations":{"readOnlyHint":true}})", "Read",
        "readOnlyHint");
    row("readOnlyHint does not tame delete", R"({"name":"delete_cache","annotations":{"readOnlyHint":true}})",
        "Destructive", "\"delete\"");
    row("destructiveHint", R"({"name":"reset","annotations":{"destructiveHint":true}})", "Destructive",
        "destructiveHint");
    row("description", R"({"name":"weather","description":"Returns the forecast for a city."})", "Read",
        "lookup");
    row("no clue", R"({"name":"frobnicate"})", "Write", "assumed Write");
}

void TestRiskGuess::guess()
{
    QFETCH(QByteArray, tool);
    QFETCH(QString, riskClass);
    QFETCH(QString, reasonPart);
    const RiskGuess g = guessRiskClass(QJsonDocument::fromJson(tool).object());
    QCOMPARE(g.riskClass, riskClass);
    QVERIFY2(g.reason.contains(reasonPart), qPrintable(g.reason));
}

QTEST_APPLESS_MAIN(TestRiskGuess)
#include "tst_riskguess.moc"
