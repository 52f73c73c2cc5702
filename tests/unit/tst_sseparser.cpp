// SPDX-License-Identifier: GPL-3.0-or-later
#include "mcp/SseParser.h"

#include <QtTest>

using namespace gatehouse;

class TestSseParser : public QObject
{
    Q_OBJECT
private slots:
    void wholeEvents();
    void splitAnywhere_data();
    void splitAnywhere();
    void multiLineDataAndComments();
    void lineEndings();
    void ignoresEventsWithoutData();
};

void TestSseParser::wholeEvents()
{
    SseParser p;
    const auto events = p.feed("event: message\ndata: {\"a\":1}\nid: 7\n\ndata: two\n\n");
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].type, QByteArray("message"));
    QCOMPARE(events[0].data, QByteArray("{\"a\":1}"));
    QCOMPARE(events[0].id, QByteArray("7"));
    QCOMPARE(events[1].type, QByteArray("message")); // the default type
    QCOMPARE(events[1].data, QByteArray("two"));
    QCOMPARE(events[1].id, QByteArray("7")); // the last id carries over
}

void TestSseParser::splitAnywhere_data()
{
    QTest::addColumn<int>("chunk");
    for (int c : {1, 2, 3, 5, 7, 64})
        QTest::newRow(qPrintable(QString::number(c))) << c;
}

void TestSseParser::splitAnywhere()
{
    QFETCH(int, chunk);
    const QByteArray stream =
        "\xEF\xBB\xBF"
        "event: endpoint\r\ndata: /message?sessionId=abc\r\n\r\n: ping\r\n\r\nevent: message\r\n"
        "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\r\n\r\n";
    SseParser p;
    QList<SseParser::Event> all;
    for (qsizetype i = 0; i < stream.size(); i += chunk)
        all += p.feed(stream.mid(i, chunk));
    QCOMPARE(all.size(), 2);
    QCOMPARE(all[0].type, QByteArray("endpoint"));
    QCOMPARE(all[0].data, QByteArray("/message?sessionId=abc"));
    QCOMPARE(all[1].data, QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
    QCOMPARE(p.pendingBytes(), 0);
}

void TestSseParser::multiLineDataAndComments()
{
    SseParser p;
    const auto events = p.feed(": comment\ndata:first\ndata: second\nretry: 100\nunknown: x\n\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].data, QByteArray("first\nsecond"));
}

void TestSseParser::lineEndings()
{
    SseParser p;
    // A lone CR ends a line too; a CR at the end of a chunk waits to see whether LF follows.
    auto events = p.feed("data: a\r");
    QVERIFY(events.isEmpty());
    events = p.feed("\ndata: b\r\r");
    QCOMPARE(events.size(), 0);
    events = p.feed("x");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].data, QByteArray("a\nb"));
}

void TestSseParser::ignoresEventsWithoutData()
{
    SseParser p;
    QVERIFY(p.feed("event: message\nid: 3\n\n").isEmpty());
    QVERIFY(p.feed(": keep-alive\n\n").isEmpty());
}

QTEST_APPLESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
