// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QObject>

namespace gatehouse {

class AuditLog;

// Receipts of approvals in the audit log's hash chain, beside the rows of the calls they answer: one
// when an approval is requested (method "approval/requested", with the SHA-256 of the facts the approver
// is shown), one when it is decided (method "approval/decided": who and through what — app, page,
// admin-api, terminal, or its deadline — the choice, the note, edited arguments). The approval id is the
// receipts' request id and is named in every message, so `gatehouse audit show ID` finds them with the
// calls. What-if replays and call counts read tools/call rows only.
class ApprovalReceipts : public QObject
{
    Q_OBJECT
public:
    ApprovalReceipts(ApprovalBroker* broker, AuditLog* audit, QObject* parent = nullptr);

    // SHA-256 (hex) of the canonical JSON of what the approver is shown: id, server, tool, grant, client,
    // risk, rule, message, arguments, when it was asked.
    static QString factsHash(const ApprovalRequest& request);

    static constexpr char Requested[] = "approval/requested";
    static constexpr char Decided[] = "approval/decided";

private:
    void onChanged(const Approval& approval, ApprovalEvent event);

    AuditLog* m_audit;
};

} // namespace gatehouse
