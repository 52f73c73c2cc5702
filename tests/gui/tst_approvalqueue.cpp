// SPDX-License-Identifier: GPL-3.0-or-later
// The approval queue and its cards, against a real ApprovalBroker.
#include "ApprovalCard.h"
#include "ApprovalPopup.h"
#include "ApprovalQueue.h"
#include "JsonEdit.h"
#include "SessionGrantList.h"

#include <QApplication>
#include <QDialog>
#include <QJsonArray>
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
        if (b->isVisibleTo(card) && b->text().remove(u'&').startsWith(startsWith))
            return b;
    return nullptr;
}

// Asks as a gate would, with the timeout given; a client that leaves withdraws its question here.
quint64 ask(ApprovalBroker& broker, const ApprovalRequest& r, int timeoutSeconds,
            ApprovalBroker::Callback callback)
{
    ApprovalTerms terms;
    terms.timeoutSeconds = timeoutSeconds;
    terms.withdrawOnCancel = true;
    QString why;
    const quint64 ticket = broker.ask(r, terms, std::move(callback), &why);
    if (ticket == 0)
        qWarning() << "not asked:" << why;
    return ticket;
}

// A card takes input only once it has been still long enough to be read.
bool readable(ApprovalCard* card)
{
    return QTest::qWaitFor([card] { return card->acceptsInput(); }, 3000);
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
        ask(broker, request(QStringLiteral("rerun_agent_run")), 30,
            [&](const ApprovalAnswer& a) { got = a; });
        QCOMPARE(queue.openCount(), 1);
        ApprovalCard* card = queue.head();
        QVERIFY(card);
        QCOMPARE(card->request().riskClass, QStringLiteral("Execute"));
        // The default answer is the timeout's, with the countdown on it.
        QVERIFY(button(card, QStringLiteral("Deny (")));
        QVERIFY(readable(card));
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
            ask(broker, request(QStringLiteral("start_agent_run"), i), 30,
                [&](const ApprovalAnswer& a) { allowed += a.allows(); });
        QCOMPARE(queue.openCount(), 5);
        QCOMPARE(queue.head()->request().arguments.value(QStringLiteral("id")).toString(),
                 QStringLiteral("run-1"));
        // Just changed: the count on the button is given time to be read before it can be pressed.
        QVERIFY(!queue.allowAllButton()->isEnabled());
        QTRY_VERIFY(queue.allowAllButton()->isEnabled());
        QTest::mouseClick(queue.allowAllButton(), Qt::LeftButton);
        QCOMPARE(allowed, 5);
        QCOMPARE(broker.pendingCount(), 0);
    }

    void touchingACardPausesItsCountdown()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.show();
        std::optional<ApprovalAnswer> got;
        ask(broker, request(QStringLiteral("rerun_agent_run")), 1, [&](const ApprovalAnswer& a) { got = a; });
        ApprovalCard* card = queue.head();
        QVERIFY(readable(card));
        QTest::mousePress(card, Qt::LeftButton);
        QVERIFY(!broker.pending().first().deadline.isValid());
        QVERIFY(card->isHeld());
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
        ask(broker, request(QStringLiteral("rerun_agent_run")), 1, [&](const ApprovalAnswer& a) { got = a; });
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 3000);
        QCOMPARE(got->outcome, ApprovalAnswer::Outcome::TimedOut);
        QCOMPARE(missed.size(), 1);
        QCOMPARE(rules.size(), 0); // a timeout never writes a rule
        QCOMPARE(queue.cards().size(), 1);
        ApprovalCard* card = queue.cards().first();
        QVERIFY(!card->isOpen());
        QVERIFY(button(card, QStringLiteral("Create rule")));
        QVERIFY(!button(card, QStringLiteral("Allow once"))); // a finished card has no answers
        QSignalSpy create(&queue, &ApprovalQueue::createRuleRequested);
        button(card, QStringLiteral("Create rule"))->click();
        QCOMPARE(create.size(), 1);
        QCOMPARE(create.first().at(1).toString(), QStringLiteral("rerun_agent_run"));
        button(card, QStringLiteral("Dismiss"))->click();
        QTRY_VERIFY(queue.cards().isEmpty());
    }

    void anAllowanceNobodyWaitedForShowsUntilTheAgentTakesIt()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        ApprovalTerms terms;
        QString why;
        const quint64 ticket = broker.ask(
            request(QStringLiteral("rerun_agent_run")), terms, [](const ApprovalAnswer&) {}, &why);
        QVERIFY(ticket);
        const QString id = queue.cards().first()->request().id;
        broker.withdraw(ticket, ApprovalBroker::Leaving::ToldToRetry); // the agent was told to call again
        auto stateText = [&] {
            QString all;
            for (QLabel* l : queue.cards().first()->findChildren<QLabel*>())
                all += l->text();
            return all;
        };
        QTRY_VERIFY(stateText().contains(QStringLiteral("not on the line")));
        QVERIFY(broker.answer(id, ApprovalChoice::AllowOnce, QStringLiteral("app")));
        QCOMPARE(queue.cards().size(), 1); // kept: nobody has used it yet
        QVERIFY(!queue.cards().first()->isOpen());
        QVERIFY(stateText().contains(QStringLiteral("Nobody was waiting")));
        // The agent's retry takes it.
        bool ran = false;
        QVERIFY(broker.ask(
            request(QStringLiteral("rerun_agent_run")), terms,
            [&](const ApprovalAnswer& a) { ran = a.allows(); }, &why));
        QTRY_VERIFY(ran);
        QVERIFY(stateText().contains(QStringLiteral("called again")));
        // An allowance for the session is not waited for like this: its card goes.
        const quint64 second = broker.ask(
            request(QStringLiteral("start_agent_run")), terms, [](const ApprovalAnswer&) {}, &why);
        broker.withdraw(second, ApprovalBroker::Leaving::ToldToRetry);
        const QString other = broker.pending().first().id;
        QCOMPARE(queue.cards().size(), 2);
        QVERIFY(broker.answer(other, ApprovalChoice::AllowForSession, QStringLiteral("app")));
        QCOMPARE(queue.cards().size(), 1);
    }

    void aCallWhoseClientLeftIsMarkedClientGone()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        const quint64 ticket = ask(broker, request(QStringLiteral("rerun_agent_run")), 30,
                                   [](const ApprovalAnswer&) { QFAIL("a withdrawn call gets no answer"); });
        broker.withdraw(ticket, ApprovalBroker::Leaving::Cancelled);
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
        ask(broker, request(QStringLiteral("start_agent_run")), 30,
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
        queue.resize(420, 900);
        queue.show();
        std::optional<ApprovalAnswer> first, second;
        ask(broker, request(QStringLiteral("start_agent_run"), 1), 30,
            [&](const ApprovalAnswer& a) { first = a; });
        ask(broker, request(QStringLiteral("start_agent_run"), 2), 30,
            [&](const ApprovalAnswer& a) { second = a; });
        QVERIFY(readable(queue.cards().at(1)));
        QVERIFY(queue.cards().at(1)->answer(ApprovalChoice::Deny));
        QVERIFY(second && !second->allows());
        QVERIFY(!first);
        QCOMPARE(queue.openCount(), 1);
    }

    void aDoubleClickNeverAnswersTheCardThatTookItsPlace()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.resize(340, 900); // the dock's narrowest
        queue.show();
        QVERIFY(QTest::qWaitForWindowExposed(&queue));
        int answered = 0;
        for (int i = 1; i <= 3; ++i)
            ask(broker, request(QStringLiteral("rerun_agent_run"), i), 30,
                [&](const ApprovalAnswer&) { ++answered; });
        ApprovalCard* first = queue.head();
        QVERIFY(readable(first));
        // Everything fits the width: nothing is cut off at the right edge (group bar included).
        for (QWidget* w : queue.findChildren<QPushButton*>())
            if (w->isVisible())
                QVERIFY2(w->mapTo(&queue, QPoint(w->width(), 0)).x() <= queue.width(),
                         qPrintable(static_cast<QPushButton*>(w)->text()));
        // Compact cards behind the head: many waiting calls fit in a dock.
        QTRY_VERIFY2(
            queue.cards().at(1)->height() * 5 < first->height() * 3,
            qPrintable(QStringLiteral("%1 vs %2").arg(queue.cards().at(1)->height()).arg(first->height())));
        QPushButton* allow = button(first, QStringLiteral("Allow once"));
        QTest::mouseClick(allow, Qt::LeftButton);
        QCOMPARE(answered, 1);
        // The second click of a double-click, 200 ms later, lands on the card that took the first one's
        // place (where its buttons are depends on the layout; that it is a new card does not).
        QTest::qWait(200);
        QCoreApplication::processEvents();
        QVERIFY(queue.head() && queue.head() != first);
        QPushButton* next = button(queue.head(), QStringLiteral("Allow once"));
        QVERIFY(next);
        QTest::mouseClick(next, Qt::LeftButton);
        QCOMPARE(answered, 1);
        QCOMPARE(broker.pendingCount(), 2);
        QVERIFY(!queue.head()->isHeld()); // nor did the stray click hold the new card's countdown
        // Read, then answered: the same button now works.
        QVERIFY(readable(queue.head()));
        QTest::mouseClick(button(queue.head(), QStringLiteral("Allow once")), Qt::LeftButton);
        QCOMPARE(answered, 2);
    }

    void aCardThatAppearsUnderThePointerKeepsCountingUntilTouched()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.resize(420, 600);
        queue.show();
        QVERIFY(QTest::qWaitForWindowExposed(&queue));
        ask(broker, request(QStringLiteral("rerun_agent_run")), 30, [](const ApprovalAnswer&) {});
        ApprovalCard* card = queue.head();
        QVERIFY(readable(card));
        QTest::qWait(300);
        QVERIFY(!card->isHeld());
        QVERIFY(broker.pending().first().deadline.isValid());
        QVERIFY(button(card, QStringLiteral("Deny ("))); // still counting
        // The pointer moving over it is a touch.
        QTest::mouseMove(card, QPoint(20, 20));
        QTest::mouseMove(card, QPoint(40, 30));
        QTRY_VERIFY(card->isHeld());
        QVERIFY(!broker.pending().first().deadline.isValid());
    }

    void oneCallHasOneCountdownInTheDockAndThePopup()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        ApprovalPopup popup(&broker, &queue);
        queue.show();
        ask(broker, request(QStringLiteral("rerun_agent_run"), 1), 30, [](const ApprovalAnswer&) {});
        ask(broker, request(QStringLiteral("start_agent_run"), 2), 30, [](const ApprovalAnswer&) {});
        QTRY_VERIFY(popup.card());
        QVERIFY(popup.isVisible());
        bool saysOneOfTwo = false;
        for (QLabel* l : popup.findChildren<QLabel*>())
            saysOneOfTwo |= l->text().contains(QStringLiteral("1 of 2"));
        QVERIFY(saysOneOfTwo);
        QCOMPARE(popup.card()->request().id, queue.head()->request().id);
        // Held in the dock (the person opened "Allow with edits…" there, say): the pop-up stops too.
        QVERIFY(readable(queue.head()));
        QTest::mousePress(queue.head(), Qt::LeftButton);
        QTRY_VERIFY(popup.card()->isHeld());
        QTRY_VERIFY(!button(popup.card(), QStringLiteral("Deny (")));
        bool saysHeld = false;
        for (QLabel* l : popup.card()->findChildren<QLabel*>())
            saysHeld |= l->text().contains(QStringLiteral("Held for you"));
        QVERIFY(saysHeld);
        // A pop-up made after the hold starts held: no countdown to a denial that is not coming.
        popup.setSuppressed(true);
        popup.setSuppressed(false);
        QTRY_VERIFY(popup.card());
        QVERIFY(popup.card()->isHeld());
        popup.setSuppressed(true);
        QVERIFY(!popup.isVisible());
    }

    void repeatedCallsAreGroupedAndBulkButtonsSayHowMany()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        int allowed = 0, denied = 0;
        for (int i = 1; i <= 3; ++i) {
            ApprovalRequest r = request(QStringLiteral("rerun_agent_run"), i);
            r.client = QStringLiteral("claude-code 2.1");
            ask(broker, r, 30, [&](const ApprovalAnswer& a) { a.allows() ? ++allowed : ++denied; });
        }
        const quint64 other = ask(broker, request(QStringLiteral("delete_agent_run"), 9), 30,
                                  [&](const ApprovalAnswer& a) { a.allows() ? ++allowed : ++denied; });
        QCOMPARE(queue.allowAllButton()->text(), QStringLiteral("Allow all 4"));
        // The head in full; the calls behind it compact.
        QVERIFY(!queue.head()->isCompact());
        for (ApprovalCard* c : queue.cards())
            QCOMPARE(c->isCompact(), c != queue.head());
        QCOMPARE(queue.denyAllButton()->text(), QStringLiteral("Deny all 4"));
        QPushButton* these = button(&queue, QStringLiteral("Allow these 3"));
        QVERIFY(these);
        QVERIFY(!these->isEnabled()); // it has only just appeared
        QTRY_VERIFY(these->isEnabled());
        these->click();
        QCOMPARE(allowed, 3);
        QCOMPARE(broker.pendingCount(), 1);
        QCOMPARE(queue.allowAllButton()->text(), QStringLiteral("Allow all"));
        // A call whose client left goes below the waiting ones; Dismiss finished clears it.
        ask(broker, request(QStringLiteral("start_agent_run"), 5), 30,
            [&](const ApprovalAnswer& a) { a.allows() ? ++allowed : ++denied; });
        broker.withdraw(other, ApprovalBroker::Leaving::Cancelled);
        QCOMPARE(queue.cards().size(), 2);
        QVERIFY(queue.cards().first()->isOpen());
        QVERIFY(!queue.cards().last()->isOpen());
        QVERIFY(queue.dismissAllButton()->isVisibleTo(&queue));
        QCOMPARE(queue.dismissAllButton()->text(), QStringLiteral("Dismiss 1 finished"));
        QSignalSpy emptied(&queue, &ApprovalQueue::emptied);
        queue.dismissAllButton()->click();
        QCOMPARE(queue.cards().size(), 1);
        QTRY_VERIFY(queue.denyAllButton()->isEnabled());
        queue.denyAllButton()->click();
        QCOMPARE(denied, 1);
        QTRY_COMPARE(emptied.size(), 1);
    }

    void theCardSaysWhichAgentAsksAndListsItsKeys()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.show();
        ApprovalRequest r = request(QStringLiteral("rerun_agent_run"));
        r.client = QStringLiteral("claude-code 2.1");
        ask(broker, r, 30, [](const ApprovalAnswer&) {});
        ask(broker, request(QStringLiteral("start_agent_run"), 2), 30, [](const ApprovalAnswer&) {});
        auto texts = [](QWidget* w) {
            QStringList out;
            for (QLabel* l : w->findChildren<QLabel*>())
                if (l->isVisibleTo(w))
                    out << l->text();
            return out.join(u'\n');
        };
        const QString head = texts(queue.cards().at(0));
        QVERIFY2(head.contains(QStringLiteral("claude-code 2.1")), qPrintable(head));
        QVERIFY2(head.contains(ApprovalCard::keyFor(ApprovalChoice::Deny).toString(QKeySequence::NativeText)),
                 qPrintable(head));
        // Only the head lists the keys: they answer it, not the others.
        QVERIFY(!texts(queue.cards().at(1)).contains(QStringLiteral("Keys:")));
        QVERIFY(texts(queue.cards().at(1)).contains(QStringLiteral("an agent that gave no name")));
        // No Alt mnemonics on the answers: Alt+letter belongs to the window.
        for (QPushButton* b : queue.cards().at(0)->findChildren<QPushButton*>())
            QVERIFY2(!b->text().contains(u'&'), qPrintable(b->text()));
        // The keys act on the head only, and only once it has been read.
        QVERIFY(!queue.answerHead(ApprovalChoice::Deny) || broker.pendingCount() == 1);
        QVERIFY(readable(queue.head()));
        const QString headId = queue.head()->request().id;
        QVERIFY(queue.answerHead(ApprovalChoice::Deny) || !broker.request(headId));
        QVERIFY(!broker.request(headId));
        QCOMPARE(broker.pendingCount(), 1);
    }

    void aSessionGrantCanBeSeenAndTakenBack()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.show();
        ApprovalRequest r = request(QStringLiteral("rerun_agent_run"));
        r.client = QStringLiteral("cursor 1.7");
        ask(broker, r, 30, [](const ApprovalAnswer&) {});
        QVERIFY(!queue.sessionGrants()->isVisible());
        QVERIFY(readable(queue.head()));
        QTest::mouseClick(button(queue.head(), QStringLiteral("Allow session")), Qt::LeftButton);
        QVERIFY(broker.isAllowedForSession(QStringLiteral("s1"), QStringLiteral("rolli"),
                                           QStringLiteral("rerun_agent_run")));
        QTRY_VERIFY(queue.sessionGrants()->isVisible());
        QCOMPARE(queue.sessionGrants()->count(), 1);
        bool named = false;
        for (QLabel* l : queue.sessionGrants()->findChildren<QLabel*>())
            named |= l->text().contains(QStringLiteral("cursor 1.7")) &&
                     l->text().contains(QStringLiteral("rerun_agent_run"));
        QVERIFY(named);
        QPushButton* back = nullptr;
        QTRY_VERIFY((back = button(queue.sessionGrants(), QStringLiteral("Take back"))));
        back->click();
        QVERIFY(!broker.isAllowedForSession(QStringLiteral("s1"), QStringLiteral("rolli"),
                                            QStringLiteral("rerun_agent_run")));
        QTRY_VERIFY(!queue.sessionGrants()->isVisible());
    }

    void aCallSettledElsewhereClosesItsEditDialog()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.show();
        std::optional<ApprovalAnswer> got;
        ask(broker, request(QStringLiteral("start_agent_run")), 30,
            [&](const ApprovalAnswer& a) { got = a; });
        QVERIFY(readable(queue.head()));
        const QString id = queue.head()->request().id;
        bool dialogWasOpen = false;
        // While the person edits, the terminal denies it: the card goes, and so does the dialog.
        QTimer::singleShot(100, this, [&] {
            dialogWasOpen = qobject_cast<QDialog*>(QApplication::activeModalWidget()) != nullptr;
            broker.answer(id, ApprovalChoice::Deny, QStringLiteral("terminal"));
        });
        queue.head()->allowWithEdits(); // returns once the dialog is gone; the card may be too
        QVERIFY(dialogWasOpen);
        QVERIFY(got && !got->allows());
        QCOMPARE(got->approver, QStringLiteral("terminal"));
        QTRY_VERIFY(queue.cards().isEmpty());
        QVERIFY(!QApplication::activeModalWidget());
    }

    void allowWithEditsShowsReorderedAndRepeatedItems()
    {
        ApprovalBroker broker;
        ApprovalQueue queue(&broker, {});
        queue.show();
        ApprovalRequest r = request(QStringLiteral("start_agent_run"));
        r.arguments = QJsonObject{
            {QStringLiteral("sources"),
             QJsonArray{QStringLiteral("twitter"), QStringLiteral("reddit"), QStringLiteral("twitter")}}};
        std::optional<ApprovalAnswer> got;
        ask(broker, r, 30, [&](const ApprovalAnswer& a) { got = a; });
        QVERIFY(readable(queue.head()));
        QString diffText;
        QTimer::singleShot(100, this, [&] {
            auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            JsonEdit* edit = dialog->findChild<JsonEdit*>();
            edit->setPlainText(QStringLiteral("{\"sources\": [\"twitter\", \"twitter\", \"reddit\"]}"));
            for (QLabel* l : dialog->findChildren<QLabel*>())
                if (l->text().contains(QStringLiteral("<pre>")))
                    diffText = l->text();
            dialog->accept();
        });
        queue.head()->allowWithEdits();
        QVERIFY2(diffText.contains(QStringLiteral("- ")) && diffText.contains(QStringLiteral("+ ")),
                 qPrintable(diffText));
        QVERIFY(!diffText.contains(QStringLiteral("no change")));
        QVERIFY(got && got->allows() && got->editedArguments);
        QCOMPARE(got->editedArguments->value(QStringLiteral("sources")).toArray().at(1).toString(),
                 QStringLiteral("twitter"));
    }
};

QTEST_MAIN(TestApprovalQueue)
#include "tst_approvalqueue.moc"
