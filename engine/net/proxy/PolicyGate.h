// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "GateContext.h"
#include "decision/CallRecord.h"
#include "decision/Evaluator.h"
#include "policy/Policy.h"

#include "json/Diagnostic.h"
#include <QFileSystemWatcher>
#include <QObject>
#include <QTimer>
#include <functional>
#include <memory>
#include <mutex>

namespace gatehouse {

class ApprovalBroker;
class ApprovalPage;
class ToolPins;
class AuditLog;

// The policy in force and the evaluator that applies it. Loading a policy file that turns out invalid
// keeps the last good policy (or none: then every call is refused) and reports why. A watched file is
// reloaded when it changes; the next call sees the new policy, clients need not reconnect.
class PolicyGate : public QObject
{
    Q_OBJECT
public:
    explicit PolicyGate(std::shared_ptr<const GateContext> context, QObject* parent = nullptr);

    // Loads the file now and reloads it whenever it changes on disk. False if it is invalid now.
    bool watchFile(const QString& path);
    bool reload();
    void setPolicy(std::shared_ptr<const Policy> policy);
    std::shared_ptr<const Policy> policy() const;
    QString policyFile() const { return m_file; }
    const Evaluator& evaluator() const { return m_evaluator; }

    Decision decide(const ToolCall& call, qint64 nowMs) const;
    // After a person allowed a call: its limits are checked again and its quota taken.
    Decision reserveApproved(const ToolCall& call, qint64 nowMs) const;

    // Where calls that need a person are sent; without one they are refused.
    ApprovalBroker* approvals() const { return m_context->approvals; }
    const ApprovalPage* approvalPage() const { return m_context->page; }
    // Tool pinning of the servers this gate decides for; null when pinning is off.
    ToolPins* pins() const { return m_context->pins; }

    // "Always allow" / "always deny" from an approval: the policy gets action allow/deny for the tool,
    // and the policy file, if any, is rewritten atomically. False (and the reason) if it cannot be.
    bool setToolAction(const QString& tool, ToolAction action, QString* error = nullptr);
    bool isHidden(const QString& tool) const;

    // Every call's record goes through here, for the log, the monitor and the audit.
    void recordDecided(const CallRecord& record) { emit callDecided(record); }
    // A finished call: `release` sends its answer to the client once the audit row is durable, with
    // recorded = false when it could not be written and the answer must be withheld (fail closed).
    void recordFinished(const CallRecord& record, std::function<void(bool recorded)> release);
    // Calls are refused up front while the audit log is failing and the mode is Refuse.
    bool refusesForAudit() const;

signals:
    void policyChanged();
    void hiddenToolsChanged(); // the hide list changed: clients should list tools again
    void policyRejected(const gatehouse::Diagnostics& errors);
    void callDecided(const gatehouse::CallRecord& record);
    void callFinished(const gatehouse::CallRecord& record);
    void auditFailed(const QString& why);

private:
    void onFileChanged();

    Evaluator m_evaluator;
    mutable std::mutex m_mutex;
    std::shared_ptr<const Policy> m_policy;
    QString m_file;
    QFileSystemWatcher m_watcher;
    std::shared_ptr<const GateContext> m_context;
    QTimer m_debounce;
};

} // namespace gatehouse
