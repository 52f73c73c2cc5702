// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QElapsedTimer>
#include <QFrame>
#include <QKeySequence>

class QLabel;
class QPushButton;

namespace gatehouse::ui {

class JsonEdit;

// One call waiting for a person: who asks (the agent's name, its grant), what (tool, risk class,
// server, arguments, the rule that asked) and the answers. The default answer's button counts down to
// the broker's deadline ("Deny (23)"); a real touch (the pointer moving over the card, a click, Tab into
// it) holds the call, and every card of that call, here or in the pop-up, then says so.
//
// A card that just appeared, or moved (the one above it was answered), takes no input for a moment:
// a double-click meant for the card that was there must not answer a call nobody has read.
class ApprovalCard : public QFrame
{
    Q_OBJECT
public:
    ApprovalCard(ApprovalBroker* broker, const ApprovalRequest& request, QWidget* parent = nullptr);
    ~ApprovalCard() override;

    const ApprovalRequest& request() const { return m_request; }
    // The request closed elsewhere (another approver, the timeout, the client leaving).
    void markClosed(const ApprovalAnswer& answer, const QString& more = {});
    // The allowance it gave while nobody waited was taken by the agent's retry.
    void markUsed();
    bool isOpen() const { return m_open; }
    bool isHeld() const { return m_held; }
    // Answers unless the card is too new to have been read (see above). True if it answered.
    bool answer(ApprovalChoice choice, const std::optional<QJsonObject>& edited = std::nullopt);
    void allowWithEdits();
    // Has been where it is, unchanged, long enough to be read.
    bool acceptsInput() const;
    // The card the answer keys act on shows them.
    void setKeysShown(bool shown);
    // Compact: one line of arguments and no details, for the calls waiting behind the head.
    void setCompact(bool compact);
    bool isCompact() const { return m_compact; }

    static constexpr int InputGuardMs = 600;
    static int inputGuardMs();
    static QKeySequence keyFor(ApprovalChoice choice);
    static QKeySequence editKey();

signals:
    void dismissed();
    void createRuleRequested(const QString& server, const QString& tool);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void moveEvent(QMoveEvent* event) override;

private:
    void tick();
    void hold();
    void rearm();
    bool isMine(QObject* object) const;

    ApprovalBroker* m_broker;
    ApprovalRequest m_request;
    TimeoutOutcome m_onTimeout;
    ApprovalAnswer m_answer; // once closed
    bool m_open = true;
    bool m_held = false;
    QLabel* m_state;
    QLabel* m_keys;
    QPushButton* m_default = nullptr;
    QWidget* m_buttons;
    QWidget* m_after;
    JsonEdit* m_arguments;
    QLabel* m_summary; // the arguments on one line, when compact
    QLabel* m_who;
    bool m_compact = false;
    QList<QWidget*> m_more; // the answers a compact card leaves out
    class QTimer* m_clock;
    QElapsedTimer m_still; // since the card last appeared or moved
    QPoint m_stillAt;      // where on the screen it was then
    QPoint m_restingPointer;
    QElapsedTimer m_tabPressed; // since the person last pressed Tab or Backtab
};

} // namespace gatehouse::ui
