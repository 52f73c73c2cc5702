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
#include <optional>

namespace gatehouse {

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
    bool allows() const { return outcome == Outcome::Allowed; }
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
// An approval binds to server + tool + the SHA-256 of the canonical arguments + grant, and answers
// only the calls waiting on it: an identical call that arrives while one waits joins it instead of
// asking twice. At the deadline the policy's on_timeout applies, once, and never becomes a rule.
class ApprovalBroker : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const ApprovalAnswer&)>;

    explicit ApprovalBroker(QObject* parent = nullptr);

    // Asks a person about a call, or joins an identical pending request. Returns a ticket for
    // withdraw(); the callback runs exactly once unless the ticket is withdrawn first.
    quint64 ask(ApprovalRequest request, int timeoutSeconds, TimeoutOutcome onTimeout, Callback callback);
    // The caller no longer waits (client cancelled or left). When nobody waits any more the request
    // is closed as cancelled.
    void withdraw(quint64 ticket);
    // A person's decision. False if there is no such pending request.
    bool answer(const QString& id, ApprovalChoice choice, const QString& approver, const QString& note = {},
                const std::optional<QJsonObject>& editedArguments = std::nullopt);
    // A person is looking at the request: its countdown stops until they answer (or the client gives up).
    bool hold(const QString& id);

    QList<ApprovalRequest> pending() const; // oldest first
    int pendingCount() const { return int(m_pending.size()); }
    // The pending request as it is now (its deadline invalid once held), if it still waits.
    std::optional<ApprovalRequest> request(const QString& id) const;

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
    // "Always allow" / "always deny": the policy should now say so for this tool.
    // The grant is the caller's: a grant with a policy of its own had its call decided by that one.
    void ruleRequested(const QString& server, const QString& grant, const QString& tool,
                       gatehouse::ToolAction action);
    void sessionGrantsChanged();

private:
    struct Pending
    {
        ApprovalRequest request;
        QHash<quint64, Callback> waiters;
        QTimer* timer = nullptr;
        TimeoutOutcome onTimeout = TimeoutOutcome::Deny;
    };
    QString bindingKey(const ApprovalRequest& r) const;
    void resolve(const QString& id, const ApprovalAnswer& answer);
    QString newId() const;

    QHash<QString, Pending> m_pending;             // by id
    QHash<QString, QString> m_byBinding;           // binding key -> id
    QHash<quint64, QString> m_tickets;             // ticket -> id
    QHash<QString, SessionGrant> m_sessionAllowed; // by session + server + tool
    quint64 m_nextTicket = 1;
};

} // namespace gatehouse

Q_DECLARE_METATYPE(gatehouse::ApprovalRequest)
Q_DECLARE_METATYPE(gatehouse::ApprovalAnswer)
