// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/Policy.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace gatehouse {

class ApprovalStore;

// A call held for a person's decision.
struct ApprovalRequest
{
    QString id; // short and unique while pending: what a person types
    QString server;
    QString session;
    QString grant;
    QString client; // the agent's clientInfo name and version, as it introduced itself ("" if it did not)
    QString tool;
    QJsonObject arguments;
    QString argumentsHash; // hex SHA-256 of the canonical arguments
    QString riskClass;     // when the tool's class is known
    QString rule;          // the policy rule that asked
    QString message;
    QDateTime created;
    QDateTime deadline; // invalid while a person holds it
    TimeoutOutcome onTimeout = TimeoutOutcome::Deny;
};

enum class ApprovalChoice
{
    AllowOnce,
    AllowForSession,
    AlwaysAllow,
    Deny,
    AlwaysDeny
};

QString
approvalChoiceName(ApprovalChoice c); // "allow-once", "allow-session", "always-allow", "deny", "always-deny"
std::optional<ApprovalChoice> approvalChoiceFromName(const QString& name);

struct ApprovalAnswer
{
    enum class Outcome
    {
        Allowed,
        Denied,
        TimedOut,
        Cancelled
    };
    Outcome outcome = Outcome::Denied;
    // Who ended the wait: a person, the approval's deadline (on_timeout allows or denies), or the
    // client that stopped waiting.
    enum class DecidedBy
    {
        Person,
        Deadline,
        Client
    };
    DecidedBy decidedBy = DecidedBy::Person;
    std::optional<ApprovalChoice> choice; // what the person chose, if one did
    QString approver;                     // for people: "terminal", "admin-api", "app", "(timeout)"
    QString note;
    // "Allow with edits": the person changed the arguments; the call goes out with these instead.
    std::optional<QJsonObject> editedArguments;
    QString approvalId; // the approval that answered
    // An identical call took the allowance this call waited on (an allowance runs one call): decide this
    // one afresh (a session allowance or a new rule may let it through; else a person is asked again).
    bool decideAgain = false;
    // The approval could not be recorded, so it cannot be used (why; the call is refused).
    QString notRecorded;
    bool allows() const { return outcome == Outcome::Allowed; }
};

// Where an approval stands. Pending until a person (or its deadline) answers; an answer nobody was
// waiting for keeps, for the approval's valid_seconds, for the agent's retry of the same call.
enum class ApprovalState
{
    Pending,
    Allowed,   // allowed; waits for the identical call, which it lets run once
    Denied,    // rejected by a person: the identical call gets the refusal without asking again
    Expired,   // nobody answered in time (on_timeout deny)
    Used,      // the call it allowed ran (or was sent upstream)
    Withdrawn, // the client cancelled and the policy says cancels withdraw
    Lapsed     // an answer the agent never came back for
};
QString approvalStateName(ApprovalState s); // "pending", "allowed", …
std::optional<ApprovalState> approvalStateFromName(const QString& name);

// What the policy says about one approval.
struct ApprovalTerms
{
    int timeoutSeconds = ApprovalSettings::DefaultTimeoutSeconds;
    TimeoutOutcome onTimeout = TimeoutOutcome::Deny;
    int validSeconds = ApprovalSettings::DefaultValidSeconds;
    bool withdrawOnCancel = false;
    QString webhookUrl;       // empty: none
    QString webhookSecret;    // the secret as the policy gives it, or
    QString webhookSecretEnv; // the environment variable that holds it (read when posting)
};

// What happened to an approval, as its listeners (the webhook) are told.
enum class ApprovalEvent
{
    Requested,
    Decided, // by a person
    Expired, // its deadline came (on_timeout decided)
    Used,    // an allowance given while nobody waited was taken by the agent's retry
    Withdrawn
};
QString approvalEventName(ApprovalEvent e); // "approval.requested", …

// What the broker keeps, and the store writes, of one approval.
struct Approval
{
    ApprovalRequest request;
    ApprovalState state = ApprovalState::Pending;
    ApprovalAnswer answer; // once answered
    QDateTime decided;
    QDateTime validUntil; // Allowed, Denied, Expired: until when the retry gets this answer
    QDateTime lastCall;   // when the agent last made this call (asked, waited or retried)
    int calls = 0;        // how many times it made it
    ApprovalTerms terms;
    bool isOpen(const QDateTime& now) const;
};

// "Allow for this session": one tool of one server needs no person for the rest of one agent session.
struct SessionGrant
{
    QString session;
    QString server;
    QString tool;
    QString grant;
    QString client;
    QString approver;
    QDateTime created;
};

// Holds calls that need a person and hands out the person's answer. It knows nothing of how the
// person is asked (terminal, admin API, the app): askers listen to requested() and call answer().
//
// An approval binds to server + tool + the SHA-256 of the canonical arguments + grant. It lives in the
// store, not in a connection: the caller may stop waiting (told to call again, cancelled, gone) and the
// person still decides; the identical call made later gets that answer. An allowance is used exactly
// once: of several identical calls, one runs and the others are asked about anew. At the deadline the
// policy's on_timeout applies, once, and never becomes a rule.
class ApprovalBroker : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const ApprovalAnswer&)>;

    explicit ApprovalBroker(QObject* parent = nullptr);
    ~ApprovalBroker() override;

    // Keeps approvals in this file from now on, and takes up those a previous run left open (their
    // deadlines run on). False, with why and how to recover, when the file cannot be used: then every
    // call that needs a person is refused (fail closed) until it can.
    bool open(const QString& path, QString* error);
    // Why approvals cannot be asked for now ("" when they can).
    QString failure() const { return m_failure; }
    // The key that signs what is handed out to come back to an approval (the approval page's links):
    // one per approvals file, so a link given before a restart still works after it.
    const QByteArray& secret() const { return m_secret; }

    // How a caller stops waiting.
    enum class Leaving
    {
        ToldToRetry, // the agent was told to call again: the approval stays open
        Shutdown,    // Gatehouse stops: the approval stays open for after the restart
        Cancelled    // the client cancelled or went away: withdraws it when the terms say so
    };

    // Asks a person about a call, joins an identical open approval, or takes the answer already given
    // to it (delivered from the event loop, never inside this call). Returns a ticket for withdraw(),
    // or 0 with why when the approval cannot be recorded (the call must then be refused). The callback
    // runs at most once, and never after its ticket is withdrawn.
    quint64 ask(ApprovalRequest request, const ApprovalTerms& terms, Callback callback, QString* error);
    void withdraw(quint64 ticket, Leaving leaving);
    // The approval a ticket waits on ("" once it is answered or withdrawn).
    QString approvalOf(quint64 ticket) const { return m_tickets.value(ticket); }
    // A person's decision. False if there is no such pending request.
    bool answer(const QString& id, ApprovalChoice choice, const QString& approver, const QString& note = {},
                const std::optional<QJsonObject>& editedArguments = std::nullopt);
    // A person is looking at the request: its countdown stops until they answer (or the client gives up).
    bool hold(const QString& id);

    QList<ApprovalRequest> pending() const; // oldest first
    int pendingCount() const;
    // The pending request as it is now (its deadline invalid once held), if it still waits.
    std::optional<ApprovalRequest> request(const QString& id) const;
    // Where an approval stands, while it is not over: pending, or answered and waiting for the agent.
    std::optional<Approval> approval(const QString& id) const;
    // What became of an approval, also once it is over (as the approvals file keeps it).
    std::optional<Approval> find(const QString& id) const;
    // How many callers wait on the line for it (0: the agent was told to call again, or left).
    int waiting(const QString& id) const;

    // "Allow for this session": later calls of the same tool in the same session need no person.
    bool isAllowedForSession(const QString& session, const QString& server, const QString& tool) const;
    QList<SessionGrant> sessionGrants() const; // oldest first
    // A person takes an "allow for session" back: the next call of that tool asks again.
    bool revokeSessionGrant(const QString& session, const QString& server, const QString& tool);
    void endSession(const QString& session);

    static QString hashArguments(const QJsonObject& arguments);

signals:
    void requested(const gatehouse::ApprovalRequest& request);
    void held(const QString& id);
    void resolved(const gatehouse::ApprovalRequest& request, const gatehouse::ApprovalAnswer& answer);
    // Who waits for an approval changed (a caller joined, was told to call again, or left).
    void waitingChanged(const QString& id);
    // An allowance given while nobody waited was taken by the agent's retry: that call runs now.
    void used(const QString& id);
    // Any change of an approval's state, with all of it.
    void changed(const gatehouse::Approval& approval, gatehouse::ApprovalEvent event);
    // "Always allow" / "always deny": the policy should now say so for this tool.
    // The grant is the caller's: a grant with a policy of its own had its call decided by that one.
    void ruleRequested(const QString& server, const QString& grant, const QString& tool,
                       gatehouse::ToolAction action);
    void sessionGrantsChanged();

private:
    struct Open
    {
        Approval approval;
        QMap<quint64, Callback> waiters; // by ticket: the oldest first
        std::unique_ptr<QTimer> deadline;
    };
    struct Delivery
    {
        Callback callback;
        std::optional<Approval> spent; // the allowance it took, given back if the caller leaves first
    };
    QString bindingKey(const ApprovalRequest& r) const;
    QString newId() const;
    bool store(const Approval& a, QString* error);
    void startDeadline(Open& open);
    void onDeadline(const QString& id);
    void resolve(const QString& id, const ApprovalAnswer& answer);
    quint64 reuse(Open& open, Callback callback);
    quint64 join(Open& open, Callback callback);
    void deliver(quint64 ticket, ApprovalAnswer answer, Delivery delivery);
    QString openNew(ApprovalRequest request, const ApprovalTerms& terms, quint64 ticket, Callback callback,
                    QString* error);
    void keep(Approval approval);

    std::unique_ptr<ApprovalStore> m_store;
    QString m_failure;
    QByteArray m_secret;
    std::map<QString, Open> m_open;                // by id: pending, and answers awaiting the retry
    QHash<QString, QString> m_byBinding;           // binding key -> id of the open approval
    QHash<quint64, QString> m_tickets;             // ticket -> id (waiting on the line)
    QHash<quint64, Delivery> m_delivering;         // tickets whose answer is on its way
    QHash<QString, SessionGrant> m_sessionAllowed; // by session + server + tool
    quint64 m_nextTicket = 1;
};

} // namespace gatehouse

Q_DECLARE_METATYPE(gatehouse::ApprovalRequest)
Q_DECLARE_METATYPE(gatehouse::ApprovalAnswer)
Q_DECLARE_METATYPE(gatehouse::Approval)
Q_DECLARE_METATYPE(gatehouse::ApprovalEvent)
