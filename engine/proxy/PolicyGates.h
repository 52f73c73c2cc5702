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
// store, one approval broker and one audit log. The empty path is "no policy": every call refused.
class PolicyGates : public QObject
{
    Q_OBJECT
public:
    PolicyGates(std::shared_ptr<CounterStore> counters, ApprovalBroker* broker, AuditLog* audit,
                QObject* parent = nullptr);

    // The gate for a policy file, created and loaded on first use.
    PolicyGate* gate(const QString& policyFile);
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
