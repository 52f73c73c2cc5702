// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PolicyGate.h"

#include <QMap>
#include <QObject>
#include <memory>

namespace gatehouse {

// One PolicyGate per policy file in use (a server's, or a grant's own), all made with one GateContext
// (counters, approval broker, audit log, pins). A server with no policy has a gate of its own that
// refuses every call, until it is given a file (then its sessions follow without reconnecting).
class PolicyGates : public QObject
{
    Q_OBJECT
public:
    explicit PolicyGates(std::shared_ptr<const GateContext> context, QObject* parent = nullptr);

    // The gate for a policy file, created and loaded on first use; for an empty file, the "no policy"
    // gate of `server`.
    PolicyGate* gate(const QString& policyFile, const QString& server = {});
    // `server` decided by `oldFile` (empty: no policy) now has `newFile`. When nothing else uses the
    // old gate, that gate becomes the new file's, so the server's open sessions follow at once;
    // otherwise (or when the new file has a gate already) they keep the old one until they reconnect.
    PolicyGate* movePolicy(const QString& server, const QString& oldFile, const QString& newFile,
                           bool oldIsShared);
    QList<PolicyGate*> all() const;

signals:
    // Wiring for logs: a gate was created (connect its signals).
    void gateCreated(gatehouse::PolicyGate* gate);

private:
    std::shared_ptr<const GateContext> m_context;
    QMap<QString, PolicyGate*> m_gates;
};

} // namespace gatehouse
