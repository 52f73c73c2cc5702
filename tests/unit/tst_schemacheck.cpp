// SPDX-License-Identifier: GPL-3.0-or-later
#include "sandbox/SchemaCheck.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace gatehouse;

// The Rolli catalogue's own schemas, checked with real and broken arguments.
class TestSchemaCheck : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void check_data();
    void check();

private:
    QMap<QString, QJsonObject> m_schemas;
};

void TestSchemaCheck::initTestCase()
{
    QFile f(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    for (const QJsonValue& t : QJsonDocument::fromJson(f.readAll())[QStringLiteral("tools")].toArray())
        m_schemas.insert(t[QStringLiteral("name")].toString(), t[QStringLiteral("inputSchema")].toObject());
    QCOMPARE(m_schemas.size(), 30);
}

void TestSchemaCheck::check_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QString>("error");
    auto row = [](const char* name, const char* tool, const char* args, const char* error) {
        QTest::newRow(name) << QString::fromLatin1(tool) << QByteArray(args) << QString::fromUtf8(error);
    };
    row("valid run", "start_agent_run",
        R"({"question":"q","available_credits":2,"mode":"monitoring","platforms":["reddit"]})", "");
    row("missing required", "start_agent_run", R"({})", "argument 'question' is required");
    row("empty string", "start_agent_run", R"({"question":""})",
        "argument 'question' must be at least 1 characters");
    row("above maximum", "start_agent_run", R"({"question":"q","available_credits":5})",
        "argument 'available_credits' must be at most 4");
    row("not an integer", "start_agent_run", R"({"question":"q","available_credits":1.5})",
        "argument 'available_credits' must be an integer");
    row("enum", "start_agent_run", R"({"question":"q","mode":"deep"})",
        "argument 'mode' must be one of trend_briefing, monitoring, competitive_intel");
    row("array item enum", "start_agent_run", R"({"question":"q","platforms":["reddit","myspace"]})",
        "argument 'platforms[1]' must be one of twitter, reddit, bluesky, youtube, threads, facebook");
    row("uuid", "get_agent_run", R"({"id":"42"})", "argument 'id' must be a UUID");
    row("valid uuid", "get_agent_run", R"({"id":"328eb4b1-a714-4511-add9-be2f6f26be8e"})", "");
    row("exclusive minimum", "get_keyword_search", R"({"id":0})", "argument 'id' must be greater than 0");
    row("pattern", "get_usage", R"({"month":"2026-1"})", "argument 'month' must match ^\\d{4}-\\d{2}$");
    row("closed object", "get_usage", R"({"year":"2026"})", "argument 'year' is not accepted by this tool");
    row("uri", "update_integration_setup", R"({"return_url":"not a url"})",
        "argument 'return_url' must be an absolute URI");
    row("boolean", "update_agent_run", R"({"id":"328eb4b1-a714-4511-add9-be2f6f26be8e","pinned":"yes"})",
        "argument 'pinned' must be true or false");
    row("too long", "keyword_search",
        QByteArray(R"({"query":")" + QByteArray(501, 'x') + R"("})").constData(),
        "argument 'query' must be at most 500 characters");
}

void TestSchemaCheck::check()
{
    QFETCH(QString, tool);
    QFETCH(QByteArray, arguments);
    QFETCH(QString, error);
    QCOMPARE(checkAgainstSchema(QJsonDocument::fromJson(arguments).object(), m_schemas.value(tool)), error);
}

QTEST_APPLESS_MAIN(TestSchemaCheck)
#include "tst_schemacheck.moc"
