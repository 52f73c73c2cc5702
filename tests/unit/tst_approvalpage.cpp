// SPDX-License-Identifier: GPL-3.0-or-later
// The approval page over a real socket on 127.0.0.1: what it shows, the one way to answer, and every
// way in that must be refused (forged link, other site, wrong Host, replay) changing nothing.
#include "approvals/ApprovalBroker.h"
#include "approvals/ApprovalPage.h"
#include "approvals/ApprovalRequestState.h"
#include "http/HttpServer.h"

#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace gatehouse;

namespace {

struct Reply
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    QByteArray header(const QByteArray& name) const
    {
        for (const QByteArray& line : head.split('\n'))
            if (line.toLower().startsWith(QByteArray(name.toLower() + ':')))
                return line.mid(name.size() + 1).trimmed();
        return {};
    }
};

// One HTTP/1.1 request as a browser (or anyone) could send it, headers as given.
Reply exchange(quint16 port, const QByteArray& method, const QByteArray& path, QList<QByteArray> headers,
               const QByteArray& body = {})
{
    // The server answers on this thread's event loop: wait by running it, never by blocking.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QElapsedTimer t;
    t.start();
    while (socket.state() != QAbstractSocket::ConnectedState && t.elapsed() < 5000)
        QTest::qWait(5);
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nConnection: close\r\n";
    for (const QByteArray& h : headers)
        request += h + "\r\n";
    if (!body.isEmpty() || method == "POST")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    socket.write(request + "\r\n" + body);
    QByteArray all;
    t.restart();
    while (socket.state() == QAbstractSocket::ConnectedState && t.elapsed() < 5000) {
        QTest::qWait(5);
        all += socket.readAll();
    }
    all += socket.readAll();
    Reply r;
    const qsizetype split = all.indexOf("\r\n\r\n");
    r.head = all.left(split).replace("\r", "");
    r.body = split < 0 ? QByteArray() : all.mid(split + 4);
    r.status = r.head.split(' ').value(1).toInt();
    return r;
}

ApprovalRequest request(const QJsonObject& arguments)
{
    ApprovalRequest r;
    r.server = QStringLiteral("rolli");
    r.tool = QStringLiteral("delete_agent_run");
    r.arguments = arguments;
    r.riskClass = QStringLiteral("destructive");
    r.rule = QStringLiteral("/tools/delete_agent_run/action");
    r.client = QStringLiteral("claude-code 2.1");
    return r;
}

} // namespace

class TestApprovalPage : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<ApprovalBroker> m_broker;
    std::unique_ptr<ApprovalPage> m_page;
    std::unique_ptr<HttpServer> m_http;
    std::optional<ApprovalAnswer> m_answer;
    QByteArray m_host;

    // A pending approval, asked by a caller that waits for its answer.
    QString ask(const QJsonObject& arguments = {{QStringLiteral("run"), QStringLiteral("r-1")}})
    {
        QString why;
        const quint64 ticket = m_broker->ask(
            request(arguments), {}, [this](const ApprovalAnswer& a) { m_answer = a; }, &why);
        return m_broker->approvalOf(ticket);
    }
    QByteArray path(const QString& link) const { return QUrl(link).path().toUtf8(); }
    Reply get(const QByteArray& path) { return exchange(m_http->port(), "GET", path, {"Host: " + m_host}); }
    Reply post(const QByteArray& path, const QByteArray& form, const QByteArray& origin = "<own>")
    {
        QList<QByteArray> headers{"Host: " + m_host, "Content-Type: application/x-www-form-urlencoded"};
        if (!origin.isEmpty())
            headers << "Origin: " + (origin == "<own>" ? "http://" + m_host : origin);
        return exchange(m_http->port(), "POST", path, headers, form);
    }

private slots:
    void init()
    {
        m_broker = std::make_unique<ApprovalBroker>();
        QString why;
        QVERIFY2(m_broker->open(m_dir.filePath(QStringLiteral("approvals.sqlite")), &why), qPrintable(why));
        m_page = std::make_unique<ApprovalPage>(m_broker.get());
        m_http = std::make_unique<HttpServer>();
        QVERIFY(m_http->listen(QHostAddress::LocalHost, 0));
        m_page->serveOn(m_http.get());
        m_host = "127.0.0.1:" + QByteArray::number(m_http->port());
        m_page->setBase(QStringLiteral("http://") + QString::fromLatin1(m_host));
        m_answer.reset();
    }
    void cleanup()
    {
        m_http.reset();
        m_page.reset();
        m_broker.reset();
        QFile::remove(m_dir.filePath(QStringLiteral("approvals.sqlite")));
    }

    void showsWhatTheCardShowsEscaped()
    {
        const QString id = ask({{QStringLiteral("run"), QStringLiteral("<script>alert(1)</script>")}});
        const QString link = m_page->link(id);
        QVERIFY(
            link.startsWith(QStringLiteral("http://%1/approve/%2/").arg(QString::fromLatin1(m_host), id)));
        const Reply r = get(path(link));
        QCOMPARE(r.status, 200);
        for (const char* part : {"delete_agent_run", "destructive", "rolli", "claude-code 2.1",
                                 "/tools/delete_agent_run/action", "Allow once", "Always deny this tool"})
            QVERIFY2(r.body.contains(part), part);
        QVERIFY(r.body.contains(m_broker->approval(id)->request.argumentsHash.toLatin1()));
        QVERIFY(!r.body.contains("<script>alert")); // the arguments are text, never markup
        QVERIFY(r.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        QVERIFY(r.header("Content-Security-Policy").contains("default-src 'none'"));
        QVERIFY(r.header("Content-Security-Policy").contains("frame-ancestors 'none'"));
        QCOMPARE(r.header("X-Frame-Options"), QByteArray("DENY"));
        QCOMPARE(r.header("Cache-Control"), QByteArray("no-store"));
        QVERIFY(!m_answer); // looking is not answering
        QCOMPARE(m_broker->approval(id)->state, ApprovalState::Pending);
    }

    void answersOnceThenShowsTheAnswer()
    {
        const QString id = ask();
        const QByteArray p = path(m_page->link(id));
        const Reply r = post(p, "decision=allow-once&note=checked+it%21");
        QCOMPARE(r.status, 303);
        QCOMPARE(r.header("Location"), p);
        QVERIFY(m_answer && m_answer->allows());
        QCOMPARE(m_answer->approver, QStringLiteral("page"));
        QCOMPARE(m_answer->note, QStringLiteral("checked it!"));
        const Reply after = get(p);
        QCOMPARE(after.status, 200);
        QVERIFY(after.body.contains("Allowed on this page"));
        QVERIFY(!after.body.contains("<form"));
        // A replay (or a second person, late) changes nothing.
        m_answer.reset();
        const Reply again = post(p, "decision=deny");
        QCOMPARE(again.status, 409);
        QVERIFY(!m_answer);
        QCOMPARE(m_broker->find(id)->answer.approver, QStringLiteral("page"));
        QVERIFY(m_broker->find(id)->answer.allows());
    }

    void refusesEveryOtherWayIn_data()
    {
        QTest::addColumn<QByteArray>("what");
        QTest::addColumn<int>("status");
        QTest::newRow("forged token") << QByteArray("forged") << 404;
        QTest::newRow("another approval's token") << QByteArray("swapped") << 404;
        QTest::newRow("no token") << QByteArray("no-token") << 404;
        QTest::newRow("other site") << QByteArray("other-site") << 403;
        QTest::newRow("no Origin") << QByteArray("no-origin") << 403;
        QTest::newRow("cross-site fetch") << QByteArray("sec-fetch") << 403;
        QTest::newRow("rebound Host") << QByteArray("host") << 421;
        QTest::newRow("not a form") << QByteArray("json") << 415;
        QTest::newRow("no decision") << QByteArray("no-decision") << 400;
        QTest::newRow("unknown decision") << QByteArray("bad-decision") << 400;
        QTest::newRow("PUT") << QByteArray("put") << 405;
    }
    void refusesEveryOtherWayIn()
    {
        QFETCH(QByteArray, what);
        QFETCH(int, status);
        const QString id = ask();
        const QString other = ask({{QStringLiteral("run"), QStringLiteral("r-2")}});
        const QByteArray p = path(m_page->link(id));
        const QByteArray own = "http://" + m_host;
        const QByteArray form = "decision=allow-once";
        const QList<QByteArray> base{"Host: " + m_host, "Content-Type: application/x-www-form-urlencoded"};
        Reply r;
        if (what == "forged")
            r = post(p.left(p.lastIndexOf('/') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", form);
        else if (what == "swapped")
            r = post("/approve/" + id.toLatin1() + path(m_page->link(other)).mid(9 + other.size()), form);
        else if (what == "no-token")
            r = post("/approve/" + id.toLatin1(), form);
        else if (what == "other-site")
            r = post(p, form, "http://127.0.0.1:9");
        else if (what == "no-origin")
            r = post(p, form, {});
        else if (what == "sec-fetch")
            r = exchange(m_http->port(), "POST", p,
                         base + QList<QByteArray>{"Origin: " + own, "Sec-Fetch-Site: cross-site"}, form);
        else if (what == "host")
            r = exchange(m_http->port(), "POST", p,
                         {"Host: attacker.example:" + QByteArray::number(m_http->port()),
                          "Content-Type: application/x-www-form-urlencoded",
                          "Origin: http://attacker.example:" + QByteArray::number(m_http->port())},
                         form);
        else if (what == "json")
            r = exchange(m_http->port(), "POST", p,
                         {"Host: " + m_host, "Content-Type: application/json", "Origin: " + own},
                         R"({"decision":"allow-once"})");
        else if (what == "no-decision")
            r = post(p, "note=hi");
        else if (what == "bad-decision")
            r = post(p, "decision=allow-forever");
        else if (what == "put")
            r = exchange(m_http->port(), "PUT", p, base + QList<QByteArray>{"Origin: " + own}, form);
        QCOMPARE(r.status, status);
        QVERIFY(r.body.contains("Nothing was changed") || status == 405);
        QVERIFY(!m_answer);
        QCOMPARE(m_broker->approval(id)->state, ApprovalState::Pending);
        QCOMPARE(m_broker->approval(other)->state, ApprovalState::Pending);
    }

    // The link is signed with the approvals file's own key: it still works after a restart; another
    // file has another key.
    void aLinkOutlivesARestart()
    {
        const QString id = ask();
        const QString link = m_page->link(id);
        m_http.reset();
        m_page.reset();
        m_broker.reset(); // Gatehouse stops; the approval stays in the file
        init();
        QCOMPARE(m_page->link(id).section(u'/', 5), link.section(u'/', 5));
        QCOMPARE(post(path(m_page->link(id)), "decision=deny&note=no").status, 303);
        QCOMPARE(m_broker->find(id)->state, ApprovalState::Denied);

        // The same approval in another file (another key) has other links: this one opens nothing there.
        QFile::copy(m_dir.filePath(QStringLiteral("approvals.sqlite")),
                    m_dir.filePath(QStringLiteral("copy.sqlite")));
        ApprovalBroker elsewhere;
        QString why;
        QVERIFY(elsewhere.open(m_dir.filePath(QStringLiteral("copy.sqlite")), &why));
        const QByteArray token = link.section(u'/', 5).toLatin1();
        QVERIFY(m_page->linkOf(id, token));
        ApprovalBroker fresh;
        QVERIFY(fresh.open(m_dir.filePath(QStringLiteral("fresh.sqlite")), &why));
        QVERIFY(fresh.secret() != m_broker->secret());
        QVERIFY(elsewhere.secret() == m_broker->secret());
    }

    // A view link (what the agent's client is given) shows the approval but answers only in a browser
    // that opened an answer link (what the person's own channels give) before.
    void aViewLinkAnswersOnlyInASignedInBrowser()
    {
        const QString id = ask();
        const QByteArray view = path(m_page->link(id, ApprovalPage::Link::View));
        QVERIFY(view != path(m_page->link(id)));
        Reply r = get(view);
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("delete_agent_run"));
        QVERIFY(!r.body.contains("<form"));
        QVERIFY(r.header("Set-Cookie").isEmpty());                 // a view link signs nobody in
        QCOMPARE(post(view, "decision=always-allow").status, 403); // what a client could try with it
        QVERIFY(!m_answer);

        r = get(path(m_page->link(id))); // the person opens their own link once
        const QByteArray setCookie = r.header("Set-Cookie");
        QVERIFY(setCookie.startsWith(QByteArray(QByteArray(ApprovalPage::CookieName) + "-")));
        QVERIFY(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"));
        const QByteArray cookie = "Cookie: " + setCookie.left(setCookie.indexOf(';'));
        const QList<QByteArray> base{"Host: " + m_host};
        r = exchange(m_http->port(), "GET", view, base + QList<QByteArray>{cookie});
        QVERIFY(r.body.contains("<form"));
        QCOMPARE(exchange(m_http->port(), "POST", view,
                          base + QList<QByteArray>{cookie, "Origin: http://" + m_host,
                                                   "Content-Type: application/x-www-form-urlencoded"},
                          "decision=allow-once")
                     .status,
                 303);
        QVERIFY(m_answer && m_answer->allows());
        // A forged cookie signs nobody in.
        const QString other = ask({{QStringLiteral("run"), QStringLiteral("r-9")}});
        QCOMPARE(
            exchange(m_http->port(), "POST", path(m_page->link(other, ApprovalPage::Link::View)),
                     base +
                         QList<QByteArray>{
                             QByteArray("Cookie: " + setCookie.left(setCookie.indexOf('=') + 1) + "AAAA"),
                             "Origin: http://" + m_host, "Content-Type: application/x-www-form-urlencoded"},
                     "decision=allow-once")
                .status,
            403);
        QCOMPARE(m_broker->approval(other)->state, ApprovalState::Pending);
    }

    // The requestState a stateless client carries while a person decides: what comes back is what was
    // given, under this key, until it expires.
    void requestStateIsSealed()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const ApprovalRequestState given{QStringLiteral("ab12cd"), QStringLiteral("rolli"),
                                         QStringLiteral("t"),      QStringLiteral("alice"),
                                         QStringLiteral("f00d"),   now.addSecs(60)};
        const QString sealed = given.seal("key-1");
        QVERIFY(ApprovalRequestState::isOurs(sealed));
        QString why;
        const auto back = ApprovalRequestState::open(sealed, "key-1", now, &why);
        QVERIFY2(back, qPrintable(why));
        QCOMPARE(back->approvalId, given.approvalId);
        QCOMPARE(back->grant, given.grant);
        QCOMPARE(back->argumentsHash, given.argumentsHash);
        QCOMPARE(back->expires.toSecsSinceEpoch(), given.expires.toSecsSinceEpoch());
        QVERIFY(!ApprovalRequestState::open(sealed, "key-2", now, &why));
        QVERIFY(why.contains(QStringLiteral("not one Gatehouse gave out")));
        QVERIFY(!ApprovalRequestState::open(sealed, "key-1", now.addSecs(61), &why));
        QVERIFY(why.contains(QStringLiteral("expired")));
        ApprovalRequestState other = given;
        other.grant = QStringLiteral("mallory");
        const QString forged =
            sealed.section(u'.', 0, 1)
                .replace(sealed.section(u'.', 1, 1), other.seal("key-2").section(u'.', 1, 1)) +
            u'.' + sealed.section(u'.', 2);
        QVERIFY(!ApprovalRequestState::open(forged, "key-1", now, &why)); // claims swapped, signature kept
        for (const QString& junk : {QStringLiteral("gh-approval."), QStringLiteral("gh-approval.x.y.z"),
                                    QStringLiteral("gh-approval..")})
            QVERIFY(!ApprovalRequestState::open(junk, "key-1", now, &why));
        QVERIFY(!ApprovalRequestState::open(sealed, QByteArray(), now, &why)); // no key: nothing is ours
    }

    void anEndedApprovalSaysWhatBecameOfIt()
    {
        QString why;
        const QString id = ask();
        QVERIFY(m_broker->answer(id, ApprovalChoice::Deny, QStringLiteral("app"), QStringLiteral("not now")));
        const Reply r = get(path(m_page->link(id)));
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("Denied by app"));
        QVERIFY(r.header("Set-Cookie").isEmpty()); // an old link that leaked signs nobody in
        QVERIFY(!r.body.contains("<form"));
        QCOMPARE(post(path(m_page->link(id)), "decision=allow-once").status, 409);
        QVERIFY(!m_broker->find(id)->answer.allows());
    }
};

QTEST_GUILESS_MAIN(TestApprovalPage)
#include "tst_approvalpage.moc"
