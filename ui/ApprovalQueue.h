// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QWidget>
#include <functional>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace gatehouse::ui {

class ApprovalCard;

// The approval queue: every call waiting for a person, oldest first, each as an ApprovalCard; Allow all
// and Deny all for bursts. Calls that closed without a person (timed out, client gone) stay listed,
// marked, until dismissed. Never modal: the rest of the app keeps working while calls wait.
class ApprovalQueue : public QWidget
{
    Q_OBJECT
public:
    // riskClass: the class of a server's tool, to show on the cards.
    ApprovalQueue(ApprovalBroker* broker,
                  std::function<QString(const QString& server, const QString& tool)> riskClass,
                  QWidget* parent = nullptr);

    int openCount() const;
    QList<ApprovalCard*> cards() const;
    ApprovalCard* head() const; // the oldest open card

signals:
    void openCountChanged(int count);
    void requestArrived(const gatehouse::ApprovalRequest& request);
    void missed(const gatehouse::ApprovalRequest& request); // closed by the timeout
    void createRuleRequested(const QString& server, const QString& tool);

private:
    void onRequested(ApprovalRequest request);
    void onResolved(const ApprovalRequest& request, const ApprovalAnswer& answer);
    void answerAll(ApprovalChoice choice);
    void updateHeader();

    ApprovalBroker* m_broker;
    std::function<QString(const QString&, const QString&)> m_riskClass;
    QLabel* m_header;
    QLabel* m_empty;
    QPushButton* m_allowAll;
    QPushButton* m_denyAll;
    QVBoxLayout* m_list;
};

} // namespace gatehouse::ui
