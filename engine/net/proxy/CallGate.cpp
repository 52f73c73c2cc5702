// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallGate.h"

#include "ClientSession.h"
#include "PolicyGate.h"
#include "Upstream.h"
#include "approvals/ApprovalBroker.h"
#include "approvals/ApprovalPage.h"
#include "approvals/ApprovalRequestState.h"
#include "mcp/ClientCapabilities.h"
#include "mcp/JsonRpc.h"
#include "mcp/StatelessEra.h"
#include "mcp/ToolRefusal.h"
#include "pins/ToolPins.h"

#include "json/JsonWriter.h"
#include <QTimer>
#include <atomic>

namespace gatehouse {

namespace {
std::atomic<qint64> nextSequence{1};

qint64 resultSize(const QJsonObject& response)
{
    return qint64(jsonrpc::encode(response).size());
}

QJsonValue idOf(const QJsonObject& message)
{
    return message.value(QStringLiteral("id"));
}
} // namespace

CallGate::CallGate(ClientSession& session, PolicyGate& policy, ApprovalBroker* approvals, ToolPins* pins,
                   const ApprovalPage* page)
    : QObject(&session)
    , m_session(session)
    , m_policy(policy)
    , m_approvals(approvals)
    , m_pins(pins)
    , m_page(page)
{}

CallGate::~CallGate()
{
    withdrawAll(ApprovalBroker::Leaving::Cancelled);
}

void CallGate::call(const QJsonObject& incoming)
{
    QJsonObject message = incoming;
    const QJsonValue id = idOf(message);
    const QJsonObject params = message.value(QStringLiteral("params")).toObject();
    const QJsonValue args = params.value(QStringLiteral("arguments"));
    if (!params.value(QStringLiteral("name")).isString() || !(args.isUndefined() || args.isObject())) {
        emit m_session.outgoing(
            jsonrpc::makeError(id, jsonrpc::InvalidParams,
                               QStringLiteral("tools/call needs params.name (a string) and params.arguments "
                                              "(an object, if given)")),
            id);
        return;
    }
    bool resumed = false;
    if (QString why; !resume(message, &resumed, &why)) {
        emit m_session.outgoing(jsonrpc::makeError(id, jsonrpc::InvalidParams, why), id);
        return;
    }
    CallRecord record = recordOf(message);
    const Decision decision = decide(record);
    record.verdict = decision.verdict;
    record.rule = decision.rule;
    record.message = decision.message;
    m_policy.recordDecided(record);
    if (decision.verdict == Verdict::NeedsApproval)
        ask(message, record, decision, !resumed);
    else if (decision.isAllowed())
        forward(message, record, decision.reservation);
    else
        refuse(id, record, decision);
}

// A stateless client's retry of a call that waits for a person brings back the requestState it was
// given: it must be Gatehouse's, unaltered, unexpired, for this very call, and its approval not over.
// Then it (and the answer to the page's input) is taken off, and the call is decided as any other: the
// same approval answers it.
bool CallGate::resume(QJsonObject& message, bool* resumed, QString* why) const
{
    QJsonObject params = message.value(QStringLiteral("params")).toObject();
    const QString state = params.value(QStringLiteral("requestState")).toString();
    if (!m_session.isForStatelessClients() || !ApprovalRequestState::isOurs(state))
        return true;
    const auto claims = ApprovalRequestState::open(state, m_approvals ? m_approvals->secret() : QByteArray(),
                                                   QDateTime::currentDateTimeUtc(), why);
    if (!claims)
        return false;
    const QJsonObject args = params.value(QStringLiteral("arguments")).toObject();
    if (claims->server != m_session.upstream()->serverName() || claims->grant != m_session.grant() ||
        claims->tool != params.value(QStringLiteral("name")).toString() ||
        claims->argumentsHash != ApprovalBroker::hashArguments(args)) {
        *why = QStringLiteral("the requestState belongs to another call (approval %1 is for %2 with other "
                              "arguments, or another grant); make this call without it")
                   .arg(claims->approvalId, claims->tool);
        return false;
    }
    const auto approval = m_approvals->find(claims->approvalId);
    if (!approval || !approval->isOpen(QDateTime::currentDateTimeUtc())) {
        *why = QStringLiteral("approval %1 is over (used, withdrawn or lapsed); its requestState is spent: "
                              "make the call afresh, without it")
                   .arg(claims->approvalId);
        return false;
    }
    params.remove(QStringLiteral("requestState"));
    QJsonObject responses = params.value(QStringLiteral("inputResponses")).toObject();
    responses.remove(QLatin1StringView(ApprovalInputKey));
    if (responses.isEmpty())
        params.remove(QStringLiteral("inputResponses"));
    else
        params.insert(QStringLiteral("inputResponses"), responses);
    message.insert(QStringLiteral("params"), params);
    *resumed = true;
    return true;
}

// Whether the client can send its person to the approval's page: a 2025-11-25 session that declared
// URL elicitation, or a stateless request that declares it.
bool CallGate::linksTo(const QJsonObject& message) const
{
    if (!m_page)
        return false;
    if (!m_session.isForStatelessClients())
        return m_session.takesUrlElicitation();
    const QJsonObject declared =
        message
            .value(QStringLiteral("params"))[QStringLiteral("_meta")]
                                            [stateless::MetaPrefix + QStringLiteral("clientCapabilities")]
            .toObject();
    return mcp::takesUrlElicitation(declared);
}

CallRecord CallGate::recordOf(const QJsonObject& message) const
{
    const QJsonObject params = message.value(QStringLiteral("params")).toObject();
    CallRecord record;
    record.sequence = nextSequence++;
    record.time = QDateTime::currentDateTimeUtc();
    record.arrived.start();
    record.server = m_session.upstream()->serverName();
    record.session = m_session.id();
    record.grant = m_session.grant();
    record.client = m_session.client();
    record.requestId = QString::fromUtf8(JsonWriter::canonical(idOf(message)));
    record.tool = params.value(QStringLiteral("name")).toString();
    record.arguments = params.value(QStringLiteral("arguments")).toObject();
    return record;
}

// Everything before a person is asked: the first step that refuses decides.
Decision CallGate::decide(CallRecord& record) const
{
    Decision decision;
    if (m_pins && m_pins->isHeld(record.server, record.tool, m_session.pinIdentity())) {
        decision.verdict = Verdict::Hidden;
        decision.rule = DecisionRule::heldForReview();
        decision.message =
            QStringLiteral("Tool %1 of %2 changed or is new since its definition was approved; it "
                           "is held until a person reviews it in Gatehouse (or runs: gatehouse "
                           "pins accept %2 %1)")
                .arg(record.tool, record.server);
        return decision;
    }
    if (m_policy.refusesForAudit()) {
        decision.verdict = Verdict::Denied;
        decision.rule = DecisionRule::auditUnavailable();
        decision.message = QStringLiteral("Gatehouse cannot write its audit log (disk full or read-only?); "
                                          "calls are refused until it can");
        return decision;
    }
    const ToolCall call{record.tool, record.arguments, record.grant, record.session};
    decision = m_policy.decide(call, record.time.toMSecsSinceEpoch());
    if (decision.verdict != Verdict::NeedsApproval)
        return decision;
    if (!m_approvals) {
        // No way to ask a person in this configuration: fail closed.
        decision.verdict = Verdict::Denied;
        decision.message += QStringLiteral(", and no one is available to approve it");
        return decision;
    }
    if (m_approvals->isAllowedForSession(record.session, record.server, record.tool)) {
        const QString asked = decision.rule;
        decision = m_policy.reserveApproved(call, QDateTime::currentMSecsSinceEpoch());
        if (decision.isAllowed())
            decision.rule = asked;
        record.approver = QStringLiteral("(allowed for this session)");
    }
    return decision;
}

void CallGate::ask(const QJsonObject& message, const CallRecord& record, const Decision& decision,
                   bool mayLink)
{
    const QJsonValue id = idOf(message);
    const QString key = jsonrpc::idKey(id);

    ApprovalRequest request;
    request.server = record.server;
    request.session = record.session;
    request.grant = record.grant;
    request.client = record.client;
    request.tool = record.tool;
    request.arguments = record.arguments;
    request.rule = decision.rule;
    request.message = decision.message;

    const auto policy = m_policy.policy();
    ApprovalTerms terms;
    int holdSeconds = ApprovalSettings::DefaultHoldSeconds;
    // A client back from the page while it is still pending (its person declined, or said done too
    // soon) waits on the line and is then told to call again: never asked round after round.
    bool links = mayLink && linksTo(message);
    if (policy) {
        links = links && policy->approvalLinksToClients();
        terms.timeoutSeconds = policy->approvalTimeoutSeconds(record.tool);
        terms.onTimeout = policy->approvalTimeoutOutcome();
        terms.validSeconds = policy->approvalValidSeconds();
        terms.withdrawOnCancel = policy->approvalWithdrawsOnCancel();
        holdSeconds = policy->approvalHoldSeconds();
        if (const auto& hook = policy->approval ? policy->approval->webhook : std::nullopt) {
            terms.webhookUrl = hook->url;
            terms.webhookSecret = hook->secret.value_or(QString());
            terms.webhookSecretEnv = hook->secretEnv.value_or(QString());
        }
    }
    QPointer<CallGate> self(this);
    QString why;
    const quint64 ticket = m_approvals->ask(
        request, terms,
        [self, message, key](const ApprovalAnswer& answer) {
            if (!self || !self->m_waiting.contains(key))
                return;
            Waiting w = self->m_waiting.take(key);
            w.stopTimers();
            self->answered(message, w.record, answer);
        },
        &why);
    if (ticket == 0) { // the approval could not be recorded: nobody could be asked, so nothing runs
        Decision refused = decision;
        refused.verdict = Verdict::Denied;
        refused.rule = DecisionRule::approvalsUnavailable();
        refused.message =
            QStringLiteral("%1 needs a person's approval, and Gatehouse cannot record approvals: %2")
                .arg(record.tool, why);
        refuse(id, record, refused);
        return;
    }
    m_session.track(id);
    const QString link =
        links ? m_page->link(m_approvals->approvalOf(ticket), ApprovalPage::Link::View) : QString();
    if (!link.isEmpty()) {
        // Its person is sent to the approval's page at once; the client calls again when told (session
        // era) or when its person is done (stateless).
        m_waiting.insert(key, {ticket, record, id, nullptr, nullptr});
        sendToPage(key, link);
        return;
    }
    m_waiting.insert(key,
                     {ticket, record, id, keepAliveWhileAsking(message), holdOnTheLine(key, holdSeconds)});
}

void CallGate::Waiting::stopTimers()
{
    if (keepAlive)
        keepAlive->deleteLater();
    if (hold)
        hold->deleteLater();
}

// Clients give up on a request after a while (the MCP SDK after 60 s): before that, the agent is told
// that a person decides and to call again; the approval stays open for that call.
QTimer* CallGate::holdOnTheLine(const QString& key, int seconds)
{
    auto* timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, key] { tellToRetry(key); });
    timer->start(seconds * 1000);
    return timer;
}

void CallGate::tellToRetry(const QString& key)
{
    const Waiting& w = m_waiting[key];
    const QString approval = m_approvals->approvalOf(w.ticket);
    if (approval.isEmpty())
        return; // its answer is on its way
    defer(
        key, approvalPendingResponse(w.id, w.record.tool, approval, RetryAfterSeconds),
        QStringLiteral("waiting for a person (approval %1); the agent was told to call again").arg(approval));
}

void CallGate::sendToPage(const QString& key, const QString& link)
{
    const Waiting& w = m_waiting[key];
    const QString approval = m_approvals->approvalOf(w.ticket);
    if (approval.isEmpty())
        return; // answered already: its answer is on its way
    if (m_session.isForStatelessClients()) {
        const ApprovalRequestState state{approval, w.record.server, w.record.tool, w.record.grant,
                                         ApprovalBroker::hashArguments(w.record.arguments),
                                         // Bounded, but past anything the approval can last (a held one
                                         // restarts its countdown): whether it still holds is the
                                         // approval's own state, checked on the retry.
                                         QDateTime::currentDateTimeUtc().addDays(30)};
        defer(key,
              approvalInputRequiredResponse(w.id, w.record.tool, approval, link,
                                            state.seal(m_approvals->secret())),
              QStringLiteral("waiting for a person (approval %1); the client was given its page to open and "
                             "calls again when its person is done")
                  .arg(approval));
        return;
    }
    if (m_linked.isEmpty())
        connect(m_approvals, &ApprovalBroker::changed, this, &CallGate::onApprovalChanged,
                Qt::UniqueConnection);
    m_linked.insert(approval);
    defer(key, approvalLinkResponse(w.id, w.record.tool, approval, link),
          QStringLiteral("waiting for a person (approval %1); the client was given its page to open and "
                         "calls again when told it is decided")
              .arg(approval));
}

// The client sent to an approval's page hears when it is decided (URL elicitation complete), and
// calls again.
void CallGate::onApprovalChanged(const Approval& approval, ApprovalEvent event)
{
    if (event == ApprovalEvent::Requested || !m_linked.contains(approval.request.id) ||
        approval.state == ApprovalState::Pending)
        return;
    m_linked.remove(approval.request.id);
    emit m_session.outgoing(elicitationCompleteNotification(approval.request.id),
                            QJsonValue(QJsonValue::Undefined));
}

// The call is told to come back later: the approval stays open for it, and nothing ran.
void CallGate::defer(const QString& key, const QJsonObject& response, const QString& message)
{
    Waiting w = m_waiting.take(key);
    w.stopTimers();
    m_approvals->withdraw(w.ticket, ApprovalBroker::Leaving::ToldToRetry);
    CallRecord record = w.record;
    record.verdict = Verdict::NeedsApproval;
    record.outcome = CallRecord::Outcome::Deferred;
    record.message = message;
    record.resultIsError = true;
    record.resultBytes = resultSize(response);
    record.response = response;
    record.measureLatency();
    m_session.untrack(w.id);
    QPointer<ClientSession> session(&m_session);
    // Nothing ran, so the answer goes out even when it could not be recorded (as a refusal would).
    m_policy.recordFinished(record, [session, response, id = w.id](bool) {
        if (session)
            emit session->outgoing(response, id);
    });
}

// While a person decides, progress notifications keep the client's request timeout from firing (for
// the clients that reset it on progress).
QTimer* CallGate::keepAliveWhileAsking(const QJsonObject& message)
{
    const QJsonValue token =
        message.value(QStringLiteral("params"))[QStringLiteral("_meta")][QStringLiteral("progressToken")];
    if (token.isUndefined())
        return nullptr;
    auto* timer = new QTimer(this);
    auto tick = [this, token, id = idOf(message), n = 0]() mutable {
        emit m_session.outgoing(
            jsonrpc::makeNotification(
                QStringLiteral("notifications/progress"),
                {{QStringLiteral("progressToken"), token},
                 {QStringLiteral("progress"), ++n},
                 {QStringLiteral("message"), QStringLiteral("Waiting for approval in Gatehouse…")}}),
            id);
    };
    connect(timer, &QTimer::timeout, this, tick);
    timer->start(ProgressIntervalMs);
    tick();
    return timer;
}

void CallGate::answered(const QJsonObject& message, CallRecord record, const ApprovalAnswer& answer)
{
    const QJsonValue id = idOf(message);
    if (answer.decideAgain) {
        // Another identical call ran on the allowance: this one is decided afresh, as if it came now.
        m_session.untrack(id);
        const Decision again = decide(record);
        if (again.verdict == Verdict::NeedsApproval)
            ask(message, record, again);
        else if (again.isAllowed())
            forward(message, record, again.reservation);
        else
            refuse(id, record, again);
        return;
    }
    if (!answer.notRecorded.isEmpty()) { // nothing runs on an approval that could not be written down
        Decision refused;
        refused.verdict = Verdict::Denied;
        refused.rule = DecisionRule::approvalsUnavailable();
        refused.message = QStringLiteral("%1 was approved, but Gatehouse cannot record approvals, so it does "
                                         "not run: %2")
                              .arg(record.tool, answer.notRecorded);
        refuse(id, record, refused);
        return;
    }
    record.approver = answer.approver;
    record.approvalNote = answer.note;
    const QString asked = record.rule;
    Decision decision;
    if (answer.allows()) {
        QJsonObject outgoing = message;
        if (answer.editedArguments) {
            // Allowed with edits: the call goes out as the person changed it, and the record says so.
            const QString original = ApprovalBroker::hashArguments(record.arguments);
            QJsonObject params = outgoing.value(QStringLiteral("params")).toObject();
            params.insert(QStringLiteral("arguments"), *answer.editedArguments);
            outgoing.insert(QStringLiteral("params"), params);
            record.originalArguments = record.arguments;
            record.arguments = *answer.editedArguments;
            record.approvalNote =
                QStringLiteral("arguments edited by %1 (original sha256 %2)%3")
                    .arg(answer.approver, original,
                         answer.note.isEmpty() ? QString() : QStringLiteral(": ") + answer.note);
        }
        const ToolCall call{record.tool, record.arguments, record.grant, record.session};
        decision = m_policy.reserveApproved(call, QDateTime::currentMSecsSinceEpoch());
        if (decision.isAllowed()) {
            decision.rule = answer.decidedBy == ApprovalAnswer::DecidedBy::Deadline
                                ? DecisionRule::approvalTimeout()
                                : asked;
            record.verdict = Verdict::Allowed;
            record.rule = decision.rule;
            record.message =
                QStringLiteral("approved by %1 (approval %2)").arg(answer.approver, answer.approvalId);
            forward(outgoing, record, decision.reservation);
            return;
        }
    } else {
        decision.verdict = Verdict::Denied;
        if (answer.decidedBy == ApprovalAnswer::DecidedBy::Deadline) {
            decision.rule = DecisionRule::approvalTimeout();
            decision.message = QStringLiteral("%1 needed approval and no one answered in time (approval %2)")
                                   .arg(record.tool, answer.approvalId);
        } else {
            decision.rule = DecisionRule::rejectedBy(answer.approver);
            decision.message = answer.note.isEmpty()
                                   ? QStringLiteral("%1 was rejected by a person (approval %2)")
                                         .arg(record.tool, answer.approvalId)
                                   : QStringLiteral("%1 was rejected by a person (approval %2): %3")
                                         .arg(record.tool, answer.approvalId, answer.note);
        }
    }
    refuse(id, record, decision);
}

void CallGate::forward(const QJsonObject& message, CallRecord record, Reservation reservation)
{
    const QJsonValue id = idOf(message);
    Upstream* upstream = m_session.upstream();
    if (!upstream) { // stopped while a person was deciding
        reservation.rollback();
        m_session.untrack(id);
        emit m_session.outgoing(
            jsonrpc::makeError(id, jsonrpc::InternalError, QStringLiteral("the upstream server stopped")),
            id);
        return;
    }
    m_session.track(id);
    QElapsedTimer clock;
    clock.start();
    QPointer<ClientSession> session(&m_session);
    PolicyGate* policy = &m_policy; // outlives the session: the proxy owns it
    upstream->request(
        &m_session, message,
        [session, policy, record, reservation, clock](const QJsonObject& response) mutable {
            record.measureLatency();
            record.upstreamMs = clock.nsecsElapsed() / 1e6;
            record.resultBytes = resultSize(response);
            record.response = response;
            if (session && !session->hasInFlight(idOf(response))) {
                // Cancelled by the client: the upstream may already have run it, the quota
                // stays spent.
                reservation.commit();
                record.outcome = CallRecord::Outcome::Cancelled;
            } else if (response.contains(QStringLiteral("error"))) {
                // The tool never ran (or we cannot know it did): the quota goes back.
                reservation.rollback();
                record.outcome = CallRecord::Outcome::Failed;
                record.upstreamError =
                    response.value(QStringLiteral("error"))[QStringLiteral("message")].toString();
            } else {
                // isError results count: the tool ran.
                reservation.commit();
                record.outcome = CallRecord::Outcome::Answered;
                record.resultIsError =
                    response.value(QStringLiteral("result"))[QStringLiteral("isError")].toBool();
            }
            policy->recordFinished(record, [session, response](bool recorded) {
                if (!session)
                    return;
                if (recorded) {
                    session->reply(response);
                    return;
                }
                // Fail closed: what cannot be recorded is not handed over.
                session->reply(jsonrpc::makeError(
                    idOf(response), jsonrpc::InternalError,
                    QStringLiteral("Gatehouse could not write this call to its audit log (disk "
                                   "full or read-only?), so its answer is withheld. The tool "
                                   "may have run.")));
            });
        });
}

void CallGate::refuse(const QJsonValue& id, CallRecord record, const Decision& decision)
{
    const QJsonObject response = toolRefusalResponse(id, record.tool, decision);
    record.verdict = decision.verdict;
    record.rule = decision.rule;
    record.message = decision.message;
    record.outcome = CallRecord::Outcome::Refused;
    record.resultIsError = true;
    record.resultBytes = resultSize(response);
    record.response = response;
    record.measureLatency();
    m_session.untrack(id);
    QPointer<ClientSession> session(&m_session);
    // A refusal ran nothing, so it is sent even when it could not be recorded.
    m_policy.recordFinished(record, [session, response, id](bool) {
        if (session)
            emit session->outgoing(response, id);
    });
}

bool CallGate::withdraw(const QJsonValue& clientId)
{
    return withdrawWaiting(jsonrpc::idKey(clientId), ApprovalBroker::Leaving::Cancelled);
}

void CallGate::withdrawAll(ApprovalBroker::Leaving leaving)
{
    const QStringList keys = m_waiting.keys();
    for (const QString& key : keys)
        withdrawWaiting(key, leaving);
}

bool CallGate::withdrawWaiting(const QString& key, ApprovalBroker::Leaving leaving)
{
    Waiting w = m_waiting.take(key);
    if (w.ticket == 0)
        return false;
    w.stopTimers(); // no more progress for a call nobody waits for
    const QString approval = m_approvals->approvalOf(w.ticket);
    m_approvals->withdraw(w.ticket, leaving);
    CallRecord record = w.record;
    record.outcome = CallRecord::Outcome::Cancelled;
    if (m_approvals->request(approval)) {
        // Nothing was refused: the question stays for the agent's next identical call.
        record.verdict = Verdict::NeedsApproval;
        record.message = leaving == ApprovalBroker::Leaving::Shutdown
                             ? QStringLiteral("Gatehouse stopped while the call waited for approval %1; the "
                                              "approval stays for when the agent calls again")
                                   .arg(approval)
                             : QStringLiteral("the client stopped waiting for approval %1; a person still "
                                              "decides, for when the agent calls again")
                                   .arg(approval);
    } else {
        record.verdict = Verdict::Denied;
        record.rule = DecisionRule::rejectedBy(QStringLiteral("client"));
        record.message = QStringLiteral("the client withdrew the call while it waited for approval");
    }
    record.measureLatency();
    m_policy.recordFinished(record, [](bool) {}); // on record; nobody is owed an answer
    return true;
}

} // namespace gatehouse
