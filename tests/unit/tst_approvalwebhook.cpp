// SPDX-License-Identifier: GPL-3.0-or-later
// approval.webhook against a receiver on 127.0.0.1: each step of an approval is POSTed, signed, in
// order; a receiver that fails or hangs never holds up a decision.
#include "approvals/ApprovalPage.h"
#include "approvals/ApprovalWebhook.h"
#include "http/HttpConnection.h"
#include "http/HttpRequest.h"
#include "http/HttpServer.h"

#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QSignalSpy>
#include <QtTest>

using namespace gatehouse;

namespace {

struct Received
{
    QByteArray event;
    QByteArray signature;
    QByteArray body;
};

ApprovalRequest request()
{
    ApprovalRequest r;
    r.server = QStringLiteral("rolli");
    r.tool = QStringLiteral("start_agent_run");
    r.arguments = {{QStringLiteral("agent"), QStringLiteral("a-1")}};
    r.rule = QStringLiteral("/tools/start_agent_run/action");
    return r;
}

// Whether `header` ("t=UNIX,sha256=HEX") signs `body` with `secret`, as a receiver would check it.
bool signedBy(const QByteArray& header, const QByteArray& body, const QByteArray& secret)
{
    const QList<QByteArray> parts = header.split(',');
    if (parts.size() != 2 || !parts[0].startsWith("t=") || !parts[1].startsWith("sha256="))
        return false;
    // Computed here as a receiver would, from the documented recipe: HMAC-SHA256 of "UNIX.BODY".
    const QByteArray t = parts[0].mid(2);
    const QByteArray expected =
        QMessageAuthenticationCode::hash(t + '.' + body, secret, QCryptographicHash::Sha256).toHex();
    return parts[1].mid(7) == expected && qAbs(QDateTime::currentSecsSinceEpoch() - t.toLongLong()) < 60;
}

} // namespace

class TestApprovalWebhook : public QObject
{
    Q_OBJECT
private slots:
    void eachStepIsPostedSigned()
    {
        HttpServer receiver;
        QList<Received> got;
        receiver.route("/hook", [&](HttpConnection* c, const HttpRequest& r) {
            got.append({r.header("x-gatehouse-event"), r.header("x-gatehouse-signature"), r.body});
            c->respond(204, HttpHeaders(), QByteArray());
        });
        QVERIFY(receiver.listen(QHostAddress::LocalHost, 0));
        ApprovalBroker broker;
        ApprovalWebhook webhook(&broker);
        ApprovalPage page(&broker);
        page.setBase(QStringLiteral("http://127.0.0.1:8731"));
        webhook.setPage(&page);
        ApprovalTerms terms;
        terms.webhookUrl = QStringLiteral("http://127.0.0.1:%1/hook").arg(receiver.port());
        terms.webhookSecret = QStringLiteral("s3cret");
        QString why;
        bool allowed = false;
        QVERIFY(broker.ask(
            request(), terms, [&](const ApprovalAnswer& a) { allowed = a.allows(); }, &why));
        const QString id = broker.pending().first().id;
        QTRY_COMPARE(got.size(), 1); // posted while it is pending, with its link
        QVERIFY(broker.answer(id, ApprovalChoice::AllowOnce, QStringLiteral("app"), QStringLiteral("fine")));
        QVERIFY(allowed);
        QTRY_COMPARE(got.size(), 2);
        QCOMPARE(got[0].event, QByteArray("approval.requested"));
        QCOMPARE(got[1].event, QByteArray("approval.decided"));
        for (const Received& r : got) {
            QVERIFY2(signedBy(r.signature, r.body, "s3cret"), r.signature.constData());
            QVERIFY(!signedBy(r.signature, r.body, "other"));
        }
        const QJsonObject requested = QJsonDocument::fromJson(got[0].body).object();
        QCOMPARE(requested[QStringLiteral("approval")][QStringLiteral("id")].toString(), id);
        QCOMPARE(requested[QStringLiteral("approval")][QStringLiteral("tool")].toString(),
                 QStringLiteral("start_agent_run"));
        QVERIFY(requested[QStringLiteral("answerWith")].toString().contains(id));
        // The approver away from the desk answers on the page its link opens.
        const QString link = requested[QStringLiteral("page")].toString();
        QVERIFY2(link.startsWith(QStringLiteral("http://127.0.0.1:8731/approve/%1/").arg(id)),
                 qPrintable(link));
        QCOMPARE(page.linkOf(id, link.section(u'/', 5).toLatin1()),
                 ApprovalPage::Link::Answer); // the person's kind
        const QJsonObject decided = QJsonDocument::fromJson(got[1].body).object();
        QVERIFY(!decided.contains(QStringLiteral("page"))); // nothing left to answer
        QCOMPARE(decided[QStringLiteral("decision")][QStringLiteral("by")].toString(), QStringLiteral("app"));
        QCOMPARE(decided[QStringLiteral("decision")][QStringLiteral("choice")].toString(),
                 QStringLiteral("allow-once"));
        QCOMPARE(decided[QStringLiteral("decision")][QStringLiteral("note")].toString(),
                 QStringLiteral("fine"));
    }

    void aHangingReceiverNeverHoldsUpADecision()
    {
        HttpServer receiver;
        int posts = 0;
        receiver.route("/hook", [&](HttpConnection*, const HttpRequest&) { ++posts; }); // never answers
        QVERIFY(receiver.listen(QHostAddress::LocalHost, 0));
        ApprovalBroker broker;
        ApprovalWebhook webhook(&broker);
        QSignalSpy failed(&webhook, &ApprovalWebhook::failed);
        ApprovalTerms terms;
        terms.webhookUrl = QStringLiteral("http://127.0.0.1:%1/hook").arg(receiver.port());
        terms.webhookSecret = QStringLiteral("k");
        QString why;
        bool denied = false;
        QVERIFY(broker.ask(
            request(), terms, [&](const ApprovalAnswer& a) { denied = !a.allows(); }, &why));
        QTRY_COMPARE(posts, 1);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(broker.answer(broker.pending().first().id, ApprovalChoice::Deny, QStringLiteral("app")));
        QVERIFY(denied); // at once, while the receiver still holds the first post
        QVERIFY(clock.elapsed() < 1000);
        QVERIFY(failed.isEmpty());
        // The post times out, is logged and reported, and tried again.
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), ApprovalWebhook::TimeoutMs + 3000);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("try 1 of 3")));
        QTRY_COMPARE_WITH_TIMEOUT(posts, 2, 3000);
    }

    void aFailingReceiverIsReportedAndTheRestIsDelivered()
    {
        HttpServer receiver;
        QList<QByteArray> events;
        receiver.route("/hook", [&](HttpConnection* c, const HttpRequest& r) {
            events.append(r.header("x-gatehouse-event"));
            c->respond(events.size() == 1 ? 500 : 200, HttpHeaders(), QByteArray());
        });
        QVERIFY(receiver.listen(QHostAddress::LocalHost, 0));
        ApprovalBroker broker;
        ApprovalWebhook webhook(&broker);
        QSignalSpy failed(&webhook, &ApprovalWebhook::failed);
        QSignalSpy delivered(&webhook, &ApprovalWebhook::delivered);
        ApprovalTerms terms;
        terms.webhookUrl = QStringLiteral("http://127.0.0.1:%1/hook").arg(receiver.port());
        terms.webhookSecret = QStringLiteral("k");
        terms.timeoutSeconds = 1;
        QString why;
        QVERIFY(broker.ask(
            request(), terms, [](const ApprovalAnswer&) {}, &why));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 2, 8000); // requested (on the second try), expired
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("HTTP 500")));
        QCOMPARE(events, (QList<QByteArray>{"approval.requested", "approval.requested", "approval.expired"}));
    }

    void aSecretFromTheEnvironmentIsReadWhenPostingAndNeverSentUnsigned()
    {
        HttpServer receiver;
        QList<Received> got;
        receiver.route("/hook", [&](HttpConnection* c, const HttpRequest& r) {
            got.append({r.header("x-gatehouse-event"), r.header("x-gatehouse-signature"), r.body});
            c->respond(200, HttpHeaders(), QByteArray());
        });
        QVERIFY(receiver.listen(QHostAddress::LocalHost, 0));
        ApprovalBroker broker;
        ApprovalWebhook webhook(&broker);
        QSignalSpy failed(&webhook, &ApprovalWebhook::failed);
        ApprovalTerms terms;
        terms.webhookUrl = QStringLiteral("http://127.0.0.1:%1/hook").arg(receiver.port());
        terms.webhookSecretEnv = QStringLiteral("GATEHOUSE_TEST_HOOK_SECRET");
        qunsetenv("GATEHOUSE_TEST_HOOK_SECRET");
        QString why;
        QVERIFY(broker.ask(
            request(), terms, [](const ApprovalAnswer&) {}, &why));
        QTRY_COMPARE(failed.size(), 1);
        QVERIFY(failed.first().first().toString().contains(
            QStringLiteral("GATEHOUSE_TEST_HOOK_SECRET is not set")));
        QTest::qWait(100);
        QVERIFY(got.isEmpty());
        qputenv("GATEHOUSE_TEST_HOOK_SECRET", "from-env");
        QVERIFY(broker.answer(broker.pending().first().id, ApprovalChoice::Deny, QStringLiteral("app")));
        QTRY_COMPARE(got.size(), 1);
        QCOMPARE(got[0].event, QByteArray("approval.decided"));
        QVERIFY(signedBy(got[0].signature, got[0].body, "from-env"));
        qunsetenv("GATEHOUSE_TEST_HOOK_SECRET");
    }

    void logsNameTheReceiverWithoutItsPath()
    {
        QCOMPARE(
            ApprovalWebhook::shown(QStringLiteral("https://hooks.example:8443/services/T0/B0/XYZ?token=1")),
            QStringLiteral("https://hooks.example:8443"));
    }
};

QTEST_GUILESS_MAIN(TestApprovalWebhook)
#include "tst_approvalwebhook.moc"
