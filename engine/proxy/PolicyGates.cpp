// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyGates.h"

#include <QFileInfo>

namespace gatehouse {

PolicyGates::PolicyGates(std::shared_ptr<CounterStore> counters, ApprovalBroker* broker, AuditLog* audit,
                         QObject* parent)
    : QObject(parent)
    , m_counters(std::move(counters))
    , m_broker(broker)
    , m_audit(audit)
{}

PolicyGate* PolicyGates::gate(const QString& policyFile)
{
    const QString key = policyFile.isEmpty() ? QString() : QFileInfo(policyFile).absoluteFilePath();
    if (PolicyGate* g = m_gates.value(key))
        return g;
    auto* g = new PolicyGate(m_counters, this);
    g->setApprovals(m_broker);
    g->setAudit(m_audit);
    m_gates.insert(key, g);
    emit gateCreated(g);
    if (!key.isEmpty())
        g->watchFile(key);
    return g;
}

QList<PolicyGate*> PolicyGates::all() const
{
    return m_gates.values();
}

} // namespace gatehouse
