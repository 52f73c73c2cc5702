// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;

namespace gatehouse {
class ApprovalBroker;
}

namespace gatehouse::ui {

class ApprovalCard;
class ApprovalQueue;

// A small always-on-top window in the corner of the screen with the head of the approval queue, for
// when the main window is not in front. It never takes the keyboard focus from what the person is
// typing into; they click it (or switch to the app) to answer. It says where the call is in the queue
// ("1 of 3"), and its countdown is the broker's, as on the call's card in the dock.
class ApprovalPopup : public QWidget
{
    Q_OBJECT
public:
    ApprovalPopup(ApprovalBroker* broker, ApprovalQueue* queue, QWidget* parent = nullptr);

    void update(); // show the queue's head, or hide
    ApprovalCard* card() const { return m_card; }
    void setSuppressed(bool suppressed); // a window of the app is active: no pop-up needed

private:
    void place();

    ApprovalBroker* m_broker;
    ApprovalQueue* m_queue;
    ApprovalCard* m_card = nullptr;
    QLabel* m_title;
    bool m_suppressed = false;
};

} // namespace gatehouse::ui
