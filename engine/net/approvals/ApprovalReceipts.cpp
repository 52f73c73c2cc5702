// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalReceipts.h"

#include "audit/AuditLog.h"
#include "decision/CallRecord.h"
#include "decision/Decision.h"

#include "json/JsonWriter.h"
#include <QCryptographicHash>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcApprovals)

namespace gatehouse {

ApprovalReceipts::ApprovalReceipts(ApprovalBroker* broker, AuditLog* audit, QObject* parent)
    : QObject(parent)
    , m_audit(audit)
{
    // Direct: a decision's receipt is queued before the row of the call it lets run or refuses.
    connect(broker, &ApprovalBroker::changed, this, &ApprovalReceipts::onChanged);
}

QString ApprovalReceipts::factsHash(const ApprovalRequest& r)
{
    const QJsonObject facts{{QStringLiteral("id"), r.id},
                            {QStringLiteral("server"), r.server},
                            {QStringLiteral("tool"), r.tool},
                            {QStringLiteral("grant"), r.grant},
                            {QStringLiteral("client"), r.client},
                            {QStringLiteral("risk"), r.riskClass},
                            {QStringLiteral("rule"), r.rule},
                            {QStringLiteral("message"), r.message},
                            {QStringLiteral("arguments"), r.arguments},
                            {QStringLiteral("created"), r.created.toString(Qt::ISODateWithMs)}};
    return QString::fromLatin1(
        QCryptographicHash::hash(JsonWriter::canonical(facts), QCryptographicHash::Sha256).toHex());
}

void ApprovalReceipts::onChanged(const Approval& a, ApprovalEvent event)
{
    if (event != ApprovalEvent::Requested && event != ApprovalEvent::Decided &&
        event != ApprovalEvent::Expired)
        return;
    const ApprovalRequest& r = a.request;
    CallRecord receipt;
    receipt.time = QDateTime::currentDateTimeUtc();
    receipt.server = r.server;
    receipt.session = r.session;
    receipt.grant = r.grant;
    receipt.client = r.client;
    receipt.tool = r.tool;
    receipt.arguments = r.arguments;
    receipt.requestId = r.id;
    receipt.rule = r.rule;
    receipt.outcome = CallRecord::Outcome::Pending; // a receipt, not a call: method says which
    if (event == ApprovalEvent::Requested) {
        receipt.time = r.created; // when it was asked, as its call's row has it
        receipt.method = QString::fromLatin1(Requested);
        receipt.verdict = Verdict::NeedsApproval;
        receipt.message = QStringLiteral("receipt: approval %1 requested; the approver is shown facts with "
                                         "sha256 %2")
                              .arg(r.id, factsHash(r));
    } else {
        const ApprovalAnswer& w = a.answer;
        receipt.method = QString::fromLatin1(Decided);
        receipt.verdict = w.allows() ? Verdict::Allowed : Verdict::Denied;
        receipt.approver = w.approver;
        receipt.approvalNote = w.note;
        if (w.decidedBy == ApprovalAnswer::DecidedBy::Deadline)
            receipt.rule = DecisionRule::approvalTimeout();
        QString edited;
        if (w.editedArguments) {
            QStringList changed;
            for (const QString& key : w.editedArguments->keys() + r.arguments.keys())
                if (w.editedArguments->value(key) != r.arguments.value(key) && !changed.contains(key))
                    changed << key;
            edited = QStringLiteral(", with edited arguments (sha256 %1; changed: %2)")
                         .arg(ApprovalBroker::hashArguments(*w.editedArguments), changed.join(u','));
        }
        receipt.message =
            QStringLiteral("receipt: approval %1 decided: %2 by %3%4")
                .arg(r.id,
                     w.choice ? approvalChoiceName(*w.choice)
                              : (w.allows() ? QStringLiteral("allowed") : QStringLiteral("denied")),
                     w.approver, edited);
    }
    const QString id = r.id;
    m_audit->append(receipt, [id](bool written) {
        if (!written)
            qCWarning(lcApprovals) << "the audit log could not take the receipt of approval" << id;
    });
}

} // namespace gatehouse
