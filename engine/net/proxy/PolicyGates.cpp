// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyGates.h"

#include <QFileInfo>

namespace gatehouse {

PolicyGates::PolicyGates(std::shared_ptr<const GateContext> context, QObject* parent)
    : QObject(parent)
    , m_context(std::move(context))
{}

namespace {
QString keyOf(const QString& policyFile, const QString& server)
{
    // A path is absolute, so it never starts with a newline: no clash with the no-policy keys.
    return policyFile.isEmpty() ? u'\n' + server : QFileInfo(policyFile).absoluteFilePath();
}
} // namespace

PolicyGate* PolicyGates::gate(const QString& policyFile, const QString& server)
{
    const QString key = keyOf(policyFile, server);
    if (PolicyGate* g = m_gates.value(key))
        return g;
    auto* g = new PolicyGate(m_context, this);
    m_gates.insert(key, g);
    emit gateCreated(g);
    if (!policyFile.isEmpty())
        g->watchFile(key);
    return g;
}

PolicyGate* PolicyGates::movePolicy(const QString& server, const QString& oldFile, const QString& newFile,
                                    bool oldIsShared)
{
    const QString key = keyOf(newFile, {});
    if (PolicyGate* g = m_gates.value(key))
        return g;
    const QString oldKey = keyOf(oldFile, server);
    if (oldIsShared || !m_gates.contains(oldKey))
        return gate(newFile);
    PolicyGate* g = m_gates.take(oldKey);
    m_gates.insert(key, g);
    g->watchFile(key);
    return g;
}

QList<PolicyGate*> PolicyGates::all() const
{
    return m_gates.values();
}

} // namespace gatehouse
