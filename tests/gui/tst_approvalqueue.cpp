// SPDX-License-Identifier: GPL-3.0-or-later
// The approval queue and its cards, against a real ApprovalBroker.
#include "ApprovalCard.h"
#include "ApprovalQueue.h"

#include <QLabel>
#include <QPushButton>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;

namespace {
ApprovalRequest request(const QString& tool, int n = 1)
{
    ApprovalRequest r;
    r.server = QStringLiteral("rolli");
    r.session = QStringLiteral("s1");
    r.grant = QStringLiteral("alice");
    r.tool = tool;
    r.arguments = QJsonObject{{QStringLiteral("id"), QStringLiteral("run-%1").arg(n)}};
    r.rule = QStringLiteral("tools.%1.action").arg(tool);
    return r;
}

QPushButton* button(QWidget* card, const QString& startsWith)
{
    for (QPushButton* b : card->findChildren<QPushButton*>())
        if (b->text().remove(u'&').startsWith(startsWith))
            return b;
    return nullptr;
}
} // namespace

class TestApprovalQueue : public QObject
{
    Q_OBJECT
private slots:
    void anAnswerInThePanelReachesTheBroker()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker,
                            [](const QString&, const QString&) { return QStringLiteral("Execute"); });
        queue.show();
        std::optional<ApprovalAnswer> got;
        broker.ask(request(QStringLiteral("rerun_agent_run")), 30, TimeoutOutcome::Deny,
                   [&](const ApprovalAnswer& a) { got = a; });
        QCOMPARE(queue.openCount(), 1);
        ApprovalCard* card = queue.head();
        QVERIFY(card);
        QCOMPARE(card->request().riskClass, QStringLiteral("Execute"));
        // The default answer is the timeout's, with the countdown on it.
        QVERIFY(button(card, QStringLiteral("Deny (")));
        QTest::mouseClick(button(card, QStringLiteral("Allow once")), Qt::LeftButton);
        QVERIFY(got);
        QVERIFY(got->allows());
        QCOMPARE(got->approver, QStringLiteral("app"));
        QCOMPARE(*got->choice, ApprovalChoice::AllowOnce);
        QTRY_COMPARE(queue.openCount(), 0);
        QTRY_VERIFY(queue.cards().isEmpty()); // answered by a person: gone from the queue
    }

    void oldestFirstAndAllowAllForBursts()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        int allowed = 0;
        for (int i = 1; i <= 5; ++i)
            broker.ask(request(QStringLiteral("start_agent_run"), i), 30, TimeoutOutcome::Deny,
                       [&](const ApprovalAnswer& a) { allowed += a.allows(); });
        QCOMPARE(queue.openCount(), 5);
        QCOMPARE(queue.head()->request().arguments.value(QStringLiteral("id")).toString(),
                 QStringLiteral("run-1"));
        QTest::mouseClick(button(&queue, QStringLiteral("Allow all")), Qt::LeftButton);
        QCOMPARE(allowed, 5);
        QCOMPARE(broker.pendingCount(), 0);
    }

    void touchingACardPausesItsCountdown()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.show();
        std::optional<ApprovalAnswer> got;
        broker.ask(request(QStringLiteral("rerun_agent_run")), 1, TimeoutOutcome::Deny,
                   [&](const ApprovalAnswer& a) { got = a; });
        ApprovalCard* card = queue.head();
        QTest::mousePress(card, Qt::LeftButton);
        QVERIFY(!broker.pending().first().deadline.isValid());
        QTest::qWait(1500); // past the one-second deadline
        QVERIFY(!got);
        QCOMPARE(broker.pendingCount(), 1);
        QCOMPARE(button(card, QStringLiteral("Deny"))->text().remove(u'&'), QStringLiteral("Deny"));
        QTest::mouseClick(button(card, QStringLiteral("Deny")), Qt::LeftButton);
        QVERIFY(got && !got->allows());
    }

    void aTimeoutDecidesOnceAndLeavesAMissedCard()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        QSignalSpy missed(&queue, &ApprovalQueue::missed);
        QSignalSpy rules(&broker, &ApprovalBroker::ruleRequested);
        std::optional<ApprovalAnswer> got;
        broker.ask(request(QStringLiteral("rerun_agent_run")), 1, TimeoutOutcome::Deny,
                   [&](const ApprovalAnswer& a) { got = a; });
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 3000);
        QCOMPARE(got->outcome, ApprovalAnswer::Outcome::TimedOut);
        QCOMPARE(missed.size(), 1);
        QCOMPARE(rules.size(), 0); // a timeout never writes a rule
        QCOMPARE(queue.cards().size(), 1);
        ApprovalCard* card = queue.cards().first();
        QVERIFY(!card->isOpen());
        QVERIFY(button(card, QStringLiteral("Create rule from this call")));
        QSignalSpy create(&queue, &ApprovalQueue::createRuleRequested);
        button(card, QStringLiteral("Create rule"))->click();
        QCOMPARE(create.size(), 1);
        QCOMPARE(create.first().at(1).toString(), QStringLiteral("rerun_agent_run"));
        button(card, QStringLiteral("Dismiss"))->click();
        QTRY_VERIFY(queue.cards().isEmpty());
    }

    void aCallWhoseClientLeftIsMarkedClientGone()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        const quint64 ticket =
            broker.ask(request(QStringLiteral("rerun_agent_run")), 30, TimeoutOutcome::Deny,
                       [](const ApprovalAnswer&) { QFAIL("a withdrawn call gets no answer"); });
        broker.withdraw(ticket);
        QCOMPARE(queue.openCount(), 0);
        QCOMPARE(queue.cards().size(), 1);
        bool saysGone = false;
        for (QLabel* l : queue.cards().first()->findChildren<QLabel*>())
            saysGone |= l->text().contains(QStringLiteral("Client gone"));
        QVERIFY(saysGone);
    }

    void allowWithEditsSendsTheEditedArguments()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        std::optional<ApprovalAnswer> got;
        broker.ask(request(QStringLiteral("start_agent_run")), 30, TimeoutOutcome::Deny,
                   [&](const ApprovalAnswer& a) { got = a; });
        const QJsonObject edited{{QStringLiteral("id"), QStringLiteral("run-2")}};
        queue.head()->answer(ApprovalChoice::AllowOnce, edited);
        QVERIFY(got && got->allows());
        QCOMPARE(got->editedArguments, std::optional(edited));
    }

    void anOpenCardNeverAnswersAnotherCall()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        std::optional<ApprovalAnswer> first, second;
        broker.ask(request(QStringLiteral("start_agent_run"), 1), 30, TimeoutOutcome::Deny,
                   [&](const ApprovalAnswer& a) { first = a; });
        broker.ask(request(QStringLiteral("start_agent_run"), 2), 30, TimeoutOutcome::Deny,
                   [&](const ApprovalAnswer& a) { second = a; });
        queue.cards().at(1)->answer(ApprovalChoice::Deny);
        QVERIFY(second && !second->allows());
        QVERIFY(!first);
        QCOMPARE(queue.openCount(), 1);
    }
};

QTEST_MAIN(TestApprovalQueue)
#include "tst_approvalqueue.moc"
