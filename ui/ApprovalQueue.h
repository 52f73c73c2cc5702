// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QTimer>
#include <QWidget>
#include <functional>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace gatehouse::ui {

class ApprovalCard;
class SessionGrantList;

// The approval queue: every call waiting for a person, oldest first, grouped when one agent asks for
// the same tool more than once ("Allow these 3"); Allow all and Deny all say how many they answer.
// Calls that closed without a person (timed out, client gone) go below the waiting ones, compact, until
// dismissed. The answer keys act on the head (the oldest waiting call), which lists them. Under the
// calls, the "allow for session" grants in force, each with a way to take it back. Never modal.
class ApprovalQueue : public QWidget
{
    Q_OBJECT
public:
    // riskClass: the class of a server's tool, to show on the cards.
    ApprovalQueue(ApprovalBroker* broker,
                  std::function<QString(const QString& server, const QString& tool)> riskClass,
                  QWidget* parent = nullptr);

    int openCount() const;
    QList<ApprovalCard*> cards() const;      // in the order shown
    ApprovalCard* head() const;              // the oldest open card
    int positionOf(const QString& id) const; // 1-based among the open ones, 0 if not open
    // The answer keys: act on the head, unless it appeared too recently to have been read.
    bool answerHead(ApprovalChoice choice);
    void editHead();
    void dismissFinished();
    QPushButton* allowAllButton() const { return m_allowAll; }
    QPushButton* denyAllButton() const { return m_denyAll; }
    QPushButton* dismissAllButton() const { return m_dismissAll; }
    SessionGrantList* sessionGrants() const { return m_grants; }

signals:
    void openCountChanged(int count);
    void requestArrived(const gatehouse::ApprovalRequest& request);
    void missed(const gatehouse::ApprovalRequest& request); // closed by the timeout
    void createRuleRequested(const QString& server, const QString& tool);
    void emptied(); // no card left, waiting or finished

private:
    void onRequested(ApprovalRequest request);
    void onResolved(const ApprovalRequest& request, const ApprovalAnswer& answer);
    // Every waiting call, or those of one group (same agent, grant and tool).
    void answerAll(ApprovalChoice choice, const QString& group = {});
    void removeCard(ApprovalCard* card);
    void relayout();
    void updateHeader();

    ApprovalBroker* m_broker;
    std::function<QString(const QString&, const QString&)> m_riskClass;
    QList<ApprovalCard*> m_cards; // arrival order
    QLabel* m_header;
    QLabel* m_empty;
    QPushButton* m_allowAll;
    QPushButton* m_denyAll;
    QPushButton* m_dismissAll;
    QVBoxLayout* m_list;
    QList<QWidget*> m_groupHeaders;
    SessionGrantList* m_grants;
    bool m_bulkReady = false; // what the bulk buttons count has not changed for a reading's time
    QTimer m_arm;
};

} // namespace gatehouse::ui
