// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace gatehouse {
class ApprovalBroker;
}

namespace gatehouse::ui {

class ApprovalCard;
class ApprovalQueue;

// A small always-on-top window in the corner of the screen with the head of the approval queue, for
// when the main window is not in front. It never takes the keyboard focus from what the person is
// typing into; they click it (or switch to the app) to answer.
class ApprovalPopup : public QWidget
{
    Q_OBJECT
public:
    ApprovalPopup(ApprovalBroker* broker, ApprovalQueue* queue, QWidget* parent = nullptr);

    void update(); // show the queue's head, or hide
    ApprovalCard* card() const { return m_card; }
    void setSuppressed(bool suppressed); // the main window is active: no pop-up needed

private:
    void place();

    ApprovalBroker* m_broker;
    ApprovalQueue* m_queue;
    ApprovalCard* m_card = nullptr;
    bool m_suppressed = false;
};

} // namespace gatehouse::ui
