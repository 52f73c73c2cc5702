// SPDX-License-Identifier: GPL-3.0-or-later
// HttpConnection in process, over a real TCP socket pair on 127.0.0.1: pipelining, streams, refusals
// with a lingering close, a request abandoned by its client, and the slow-headers deadline.
#include "http/HttpConnection.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace gatehouse;

class TestHttpConnection : public QObject
{
    Q_OBJECT

    // A connected pair: `client` is ours to write raw bytes on, `server` is the connection under test.
    struct Pair
    {
        QTcpServer listener;
        QTcpSocket client;
        QObject owner; // the connection's parent, as the HttpServer is; it deletes itself once closed
        QPointer<HttpConnection> server;
        QList<HttpRequest> requests;
        QList<HttpConnection*> answerLater; // requests the test answers by hand
        bool closed = false;

        explicit Pair(HttpConnection::Limits limits = {})
        {
            if (!listener.listen(QHostAddress::LocalHost, 0))
                qFatal("cannot listen on 127.0.0.1");
            client.connectToHost(QHostAddress::LocalHost, listener.serverPort());
            if (!listener.waitForNewConnection(5000) || !client.waitForConnected(5000))
                qFatal("no connection");
            server = new HttpConnection(listener.nextPendingConnection(), limits, &owner);
            QObject::connect(server, &HttpConnection::requestReceived, &owner,
                             [this](HttpConnection* c, const HttpRequest& r) {
                                 requests.append(r);
                                 if (r.path == "/later")
                                     answerLater.append(c);
                                 else
                                     c->respond(200, HttpHeaders().add("content-type", "text/plain"),
                                                "path " + r.path);
                             });
            QObject::connect(server, &HttpConnection::closed, &owner, [this] { closed = true; });
        }
        QByteArray received;
        QByteArray read()
        {
            received += client.readAll();
            return received;
        }
    };

private slots:
    void pipelinedRequestsAreAnsweredInOrder()
    {
        Pair p;
        p.client.write("GET /one HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                       "GET /two HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_VERIFY(p.read().contains("path /two"));
        QCOMPARE(p.requests.size(), 2);
        QVERIFY(p.received.indexOf("path /one") < p.received.indexOf("path /two"));
        QCOMPARE(p.received.count("HTTP/1.1 200"), 2);
    }

    void aHeldRequestHoldsTheOnesBehindIt()
    {
        Pair p;
        p.client.write("GET /later HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                       "GET /next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE(p.answerLater.size(), 1);
        QTest::qWait(50);
        QCOMPARE(p.requests.size(), 1); // parsing is paused until the first is answered
        p.answerLater.first()->respond(204, {}, {});
        QTRY_VERIFY(p.read().contains("path /next"));
        QVERIFY(p.received.indexOf("204") < p.received.indexOf("path /next"));
    }

    void aStreamIsChunked()
    {
        Pair p;
        p.client.write("GET /later HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE(p.answerLater.size(), 1);
        HttpConnection* c = p.answerLater.first();
        c->beginStream(200, HttpHeaders().add("content-type", "text/event-stream"));
        QVERIFY(c->isStreaming());
        c->writeChunk("data: 1\n\n");
        c->endStream();
        QTRY_VERIFY(p.read().endsWith("0\r\n\r\n"));
        QVERIFY(p.received.contains("transfer-encoding: chunked") ||
                p.received.contains("Transfer-Encoding: chunked"));
        QVERIFY(p.received.contains("9\r\ndata: 1\n\n\r\n"));
    }

    void anOversizedBodyIsRefusedAndTheAnswerArrives()
    {
        HttpConnection::Limits limits;
        limits.maxBodyBytes = 1000;
        Pair p(limits);
        // The body is still being sent when the refusal goes out: the lingering close lets it arrive.
        p.client.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n");
        p.client.write(QByteArray(100000, 'x'));
        QTRY_VERIFY(p.read().contains("413"));
        QVERIFY(p.requests.isEmpty());
    }

    void malformedRequestsGet400()
    {
        Pair p;
        p.client.write("NOT HTTP AT ALL\r\n\r\n");
        QTRY_VERIFY(p.read().startsWith("HTTP/1.1 400"));
        QVERIFY(p.requests.isEmpty());
    }

    void aClientThatLeavesBeforeItsAnswerIsNoticed()
    {
        Pair p;
        bool abandoned = false;
        p.client.write("GET /later HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE(p.answerLater.size(), 1);
        p.answerLater.first()->setAbandonHandler([&abandoned] { abandoned = true; });
        p.client.close();
        QTRY_VERIFY(abandoned);
        QVERIFY(p.closed);
        QTRY_VERIFY(!p.server); // and it went
    }

    void headersThatNeverFinishTimeOut()
    {
        HttpConnection::Limits limits;
        limits.headerTimeoutMs = 100;
        Pair p(limits);
        p.client.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // and nothing more
        QTRY_VERIFY(p.client.bytesToWrite() == 0);
        QTest::qWait(200);
        p.server->checkDeadlines();
        QTRY_VERIFY(p.read().startsWith("HTTP/1.1 408"));
        QVERIFY(p.requests.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestHttpConnection)
#include "tst_httpconnection.moc"
