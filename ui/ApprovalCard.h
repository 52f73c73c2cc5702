// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace gatehouse::ui {

class JsonEdit;

// One call waiting for a person: what it is (tool, risk class, grant, server, arguments, the rule
// that asked) and the answers. The default answer's button counts down to the deadline ("Deny (23)");
// touching the card stops the countdown. After the request closes without a person the card stays,
// marked, until dismissed.
class ApprovalCard : public QFrame
{
    Q_OBJECT
public:
    ApprovalCard(ApprovalBroker* broker, const ApprovalRequest& request, QWidget* parent = nullptr);

    const ApprovalRequest& request() const { return m_request; }
    // The request closed elsewhere (another approver, the timeout, the client leaving).
    void markClosed(const ApprovalAnswer& answer);
    bool isOpen() const { return m_open; }
    void answer(ApprovalChoice choice, const std::optional<QJsonObject>& edited = std::nullopt);

signals:
    void dismissed();
    void createRuleRequested(const QString& server, const QString& tool);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    void tick();
    void hold();
    void allowWithEdits();

    ApprovalBroker* m_broker;
    ApprovalRequest m_request;
    TimeoutOutcome m_onTimeout;
    bool m_open = true;
    bool m_held = false;
    QLabel* m_state;
    QPushButton* m_default;
    QWidget* m_buttons;
    QWidget* m_after;
    class QTimer* m_clock;
};

} // namespace gatehouse::ui
