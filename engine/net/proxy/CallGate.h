// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"
#include "decision/CallRecord.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>

class QTimer;

namespace gatehouse {

class ApprovalPage;
class ClientSession;
class PolicyGate;
class Reservation;
class ToolPins;
struct ApprovalAnswer;
struct Decision;

// The one place a tools/call is decided and seen through, in the order of docs/policy.md: pins, audit
// health, policy, session allowance, approval, reservation, forward, settle, record. Its session hands
// it each call and carries the answers; the gate keeps the calls that wait for a person.
class CallGate : public QObject
{
    Q_OBJECT
public:
    // `approvals` and `pins` may be null: then a call that needs a person is refused, and nothing is
    // pinned.
    // `page`, if given, hands out approval links to clients that can open them for their person.
    CallGate(ClientSession& session, PolicyGate& policy, ApprovalBroker* approvals, ToolPins* pins,
             const ApprovalPage* page = nullptr);
    ~CallGate() override;

    // One tools/call request from the session's client; its id is not in flight yet.
    void call(const QJsonObject& message);
    // The client stopped waiting for a call (it cancelled, or the connection that carried it closed).
    // True when the call was waiting for a person: the question is withdrawn and recorded, and the
    // upstream never saw it.
    bool withdraw(const QJsonValue& clientId);
    // The session ends (the client left, or Gatehouse stops): no call waits on the line any more.
    void withdrawAll(ApprovalBroker::Leaving leaving);

    static constexpr int ProgressIntervalMs = 5000;
    // What the agent told to call again is asked to wait first.
    static constexpr int RetryAfterSeconds = 30;

private:
    bool resume(QJsonObject& message, bool* resumed, QString* why) const;
    bool linksTo(const QJsonObject& message) const;
    CallRecord recordOf(const QJsonObject& message) const;
    Decision decide(CallRecord& record) const;
    void ask(const QJsonObject& message, const CallRecord& record, const Decision& decision,
             bool mayLink = true);
    void answered(const QJsonObject& message, CallRecord record, const ApprovalAnswer& answer);
    void forward(const QJsonObject& message, CallRecord record, Reservation reservation);
    void refuse(const QJsonValue& id, CallRecord record, const Decision& decision);
    QTimer* keepAliveWhileAsking(const QJsonObject& message);
    QTimer* holdOnTheLine(const QString& key, int seconds);
    void tellToRetry(const QString& key);
    void sendToPage(const QString& key, const QString& link);
    void defer(const QString& key, const QJsonObject& response, const QString& message);
    void onApprovalChanged(const Approval& approval, ApprovalEvent event);
    bool withdrawWaiting(const QString& key, ApprovalBroker::Leaving leaving);

    ClientSession& m_session;
    PolicyGate& m_policy;
    ApprovalBroker* m_approvals;
    ToolPins* m_pins;
    const ApprovalPage* m_page;
    QSet<QString> m_linked; // approvals whose page this client was sent: told when they are decided
    struct Waiting
    {
        quint64 ticket = 0;
        CallRecord record;
        QJsonValue id;              // the client's request id
        QPointer<QTimer> keepAlive; // progress to the client while it waits, if it asked for progress
        QPointer<QTimer> hold;      // then the agent is told to call again
        void stopTimers();
    };
    QHash<QString, Waiting> m_waiting; // by client request id, while a person decides
};

} // namespace gatehouse
