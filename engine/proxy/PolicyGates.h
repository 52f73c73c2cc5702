// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PolicyGate.h"

#include <QMap>
#include <QObject>
#include <memory>

namespace gatehouse {

class ApprovalBroker;
class AuditLog;

// One PolicyGate per policy file in use (a server's, or a grant's own), all sharing one counter
// store, one approval broker and one audit log. A server with no policy has a gate of its own that
// refuses every call, until it is given a file (then its sessions follow without reconnecting).
class PolicyGates : public QObject
{
    Q_OBJECT
public:
    PolicyGates(std::shared_ptr<CounterStore> counters, ApprovalBroker* broker, AuditLog* audit,
                QObject* parent = nullptr);

    // The gate for a policy file, created and loaded on first use; for an empty file, the "no policy"
    // gate of `server`.
    PolicyGate* gate(const QString& policyFile, const QString& server = {});
    // `server` had no policy and now has `policyFile`: its no-policy gate becomes that file's gate,
    // unless the file has a gate already (then that one is returned; open sessions keep refusing
    // until they reconnect).
    PolicyGate* givePolicy(const QString& server, const QString& policyFile);
    QList<PolicyGate*> all() const;

signals:
    // Wiring for logs: a gate was created (connect its signals).
    void gateCreated(gatehouse::PolicyGate* gate);

private:
    std::shared_ptr<CounterStore> m_counters;
    ApprovalBroker* m_broker;
    AuditLog* m_audit;
    QMap<QString, PolicyGate*> m_gates;
};

} // namespace gatehouse
