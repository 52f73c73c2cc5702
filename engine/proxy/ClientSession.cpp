// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientSession.h"

#include "PolicyGate.h"
#include "Upstream.h"
#include "approvals/ApprovalBroker.h"
#include "mcp/JsonRpc.h"
#include "mcp/ToolRefusal.h"
#include "pins/ToolPins.h"

#include "json/JsonWriter.h"
#include <QJsonArray>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>
#include <atomic>

namespace gatehouse {

namespace {
std::atomic<qint64> nextSequence{1};

qint64 resultSize(const QJsonObject& response)
{
    return qint64(jsonrpc::encode(response).size());
}
} // namespace

ClientSession::ClientSession(QString id, QString grant, Upstream* upstream, PolicyGate* gate, QObject* parent)
    : QObject(parent)
    , m_id(std::move(id))
    , m_grant(std::move(grant))
    , m_upstream(upstream)
    , m_gate(gate)
{
    m_lastActivity.start();
    m_upstream->attach(this);
    connect(m_gate, &PolicyGate::hiddenToolsChanged, this, &ClientSession::notifyToolsChanged);
    if (ToolPins* pins = m_gate->pins())
        connect(pins, &ToolPins::reviewsChanged, this, [this](const QString& server) {
            if (m_upstream && server == m_upstream->serverName())
                notifyToolsChanged();
        });
}

ClientSession::~ClientSession()
{
    close();
}

void ClientSession::close()
{
    if (m_closed)
        return;
    m_closed = true;
    if (ApprovalBroker* broker = m_gate->approvals()) {
        const QStringList waiting = m_approvals.keys();
        for (const QString& key : waiting)
            withdrawApproval(key);
        broker->endSession(m_id);
    }
    m_approvals.clear();
    if (m_upstream)
        m_upstream->detach(this);
    m_inFlight.clear();
}

void ClientSession::connectionLost(const QJsonValue& clientId)
{
    if (!m_approvals.contains(jsonrpc::idKey(clientId)))
        return;
    untrack(clientId);
    withdrawApproval(jsonrpc::idKey(clientId));
}

void ClientSession::withdrawApproval(const QString& key)
{
    const Waiting w = m_approvals.take(key);
    if (w.ticket == 0)
        return;
    m_gate->approvals()->withdraw(w.ticket);
    CallRecord record = w.record;
    record.outcome = CallRecord::Outcome::Cancelled;
    record.verdict = Verdict::Denied;
    record.rule = DecisionRule::rejectedBy(QStringLiteral("client"));
    record.message = QStringLiteral("the client withdrew the call while it waited for approval");
    record.measureLatency();
    m_gate->recordFinished(record, [](bool) {}); // on record; nobody is owed an answer
}

bool ClientSession::hasInFlight(const QJsonValue& clientId) const
{
    return m_inFlight.contains(jsonrpc::idKey(clientId));
}

QJsonValue ClientSession::latestInFlightId() const
{
    const InFlight* latest = nullptr;
    for (const InFlight& f : m_inFlight)
        if (!latest || f.order > latest->order)
            latest = &f;
    return latest ? latest->clientId : QJsonValue(QJsonValue::Undefined);
}

void ClientSession::track(const QJsonValue& clientId)
{
    m_inFlight.insert(jsonrpc::idKey(clientId), {clientId, ++m_order});
}

void ClientSession::untrack(const QJsonValue& clientId)
{
    m_inFlight.remove(jsonrpc::idKey(clientId));
    m_lastActivity.restart();
}

void ClientSession::reply(const QJsonObject& response)
{
    const QJsonValue id = response.value(QStringLiteral("id"));
    if (!hasInFlight(id))
        return; // the client cancelled it: no response is owed
    untrack(id);
    emit outgoing(response, id);
}

void ClientSession::receive(const QJsonObject& message)
{
    m_lastActivity.restart();
    if (m_closed)
        return;
    const jsonrpc::Message m = jsonrpc::classify(message);
    if (!m_upstream) { // the proxy is shutting down and its upstream is gone
        if (m.kind == jsonrpc::Kind::Request)
            emit outgoing(jsonrpc::makeError(m.id(), jsonrpc::InternalError,
                                             QStringLiteral("the upstream server stopped")),
                          m.id());
        return;
    }
    switch (m.kind) {
    case jsonrpc::Kind::Request:
        if (hasInFlight(m.id())) {
            // Ids must be unique among a sender's requests in flight; answering would be ambiguous.
            emit outgoing(jsonrpc::makeError(m.id(), jsonrpc::InvalidRequest,
                                             QStringLiteral("request id %1 is already in flight")
                                                 .arg(QString::fromUtf8(JsonWriter::canonical(m.id())))),
                          m.id());
            return;
        }
        handleRequest(message);
        return;
    case jsonrpc::Kind::Notification:
        handleNotification(message);
        return;
    case jsonrpc::Kind::Response:
        m_upstream->respond(this, message);
        return;
    case jsonrpc::Kind::Invalid:
        return;
    }
}

void ClientSession::handleRequest(const QJsonObject& message)
{
    const QString method = message.value(QStringLiteral("method")).toString();
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (method == u"tools/call") {
        handleToolCall(message);
        return;
    }
    if (method == u"initialize")
        m_client =
            clientLabel(message.value(QStringLiteral("params"))[QStringLiteral("clientInfo")].toObject());
    track(id);
    QPointer<ClientSession> self(this);
    PolicyGate* gate = m_gate;
    m_upstream->request(this, message, [self, method, gate](const QJsonObject& response) {
        if (!self)
            return;
        QJsonObject out = response;
        QJsonObject result = response.value(QStringLiteral("result")).toObject();
        if (method == u"initialize" && response.contains(QStringLiteral("result"))) {
            // The proxy tells clients when a policy edit hides or shows tools.
            QJsonObject caps = result.value(QStringLiteral("capabilities")).toObject();
            QJsonObject tools = caps.value(QStringLiteral("tools")).toObject();
            tools.insert(QStringLiteral("listChanged"), true);
            caps.insert(QStringLiteral("tools"), tools);
            result.insert(QStringLiteral("capabilities"), caps);
            out.insert(QStringLiteral("result"), result);
            self->m_serverInfoName =
                result.value(QStringLiteral("serverInfo"))[QStringLiteral("name")].toString();
        } else if (method == u"tools/list" && response.contains(QStringLiteral("result"))) {
            QJsonArray tools = result.value(QStringLiteral("tools")).toArray();
            // Changed or new definitions of a pinned server wait for a person, out of sight.
            if (ToolPins* pins = gate->pins(); pins && self->m_upstream)
                tools = pins->screen(self->m_upstream->serverName(), tools, self->pinIdentity());
            QJsonArray visible;
            for (const QJsonValue& tool : std::as_const(tools))
                if (!gate->isHidden(tool.toObject().value(QStringLiteral("name")).toString()))
                    visible.append(tool);
            result.insert(QStringLiteral("tools"), visible);
            out.insert(QStringLiteral("result"), result);
        }
        self->reply(out);
    });
}

QString ClientSession::clientLabel(const QJsonObject& clientInfo)
{
    // Shown to the person deciding: printable characters only, and short, whatever the agent sent.
    auto clean = [](QString s, int max) {
        static const QRegularExpression unprintable(QStringLiteral("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]"));
        s.replace(unprintable, QStringLiteral(" "));
        s = s.simplified();
        return s.size() > max ? s.left(max - 1) + QChar(0x2026) : s;
    };
    const QString name = clean(clientInfo.value(QStringLiteral("name")).toString(), 60);
    const QString version = clean(clientInfo.value(QStringLiteral("version")).toString(), 24);
    if (name.isEmpty())
        return {};
    return version.isEmpty() ? name : name + u' ' + version;
}

QString ClientSession::pinIdentity() const
{
    return ToolPins::identity(m_upstream ? m_upstream->address() : QString(), m_serverInfoName);
}

void ClientSession::handleToolCall(const QJsonObject& message)
{
    const QJsonValue id = message.value(QStringLiteral("id"));
    const QJsonObject params = message.value(QStringLiteral("params")).toObject();
    const QJsonValue nameValue = params.value(QStringLiteral("name"));
    const QJsonValue argsValue = params.value(QStringLiteral("arguments"));
    if (!nameValue.isString() || !(argsValue.isUndefined() || argsValue.isObject())) {
        emit outgoing(
            jsonrpc::makeError(id, jsonrpc::InvalidParams,
                               QStringLiteral("tools/call needs params.name (a string) and params.arguments "
                                              "(an object, if given)")),
            id);
        return;
    }

    CallRecord record;
    record.sequence = nextSequence++;
    record.time = QDateTime::currentDateTimeUtc();
    record.arrived.start();
    record.server = m_upstream->serverName();
    record.session = m_id;
    record.grant = m_grant;
    record.client = m_client;
    record.requestId = QString::fromUtf8(JsonWriter::canonical(id));
    record.tool = nameValue.toString();
    record.arguments = argsValue.toObject();

    const ToolCall call{record.tool, record.arguments, m_grant, m_id};
    Decision decision;
    if (ToolPins* pins = m_gate->pins(); pins && pins->isHeld(record.server, record.tool, pinIdentity())) {
        decision.verdict = Verdict::Hidden;
        decision.rule = DecisionRule::heldForReview();
        decision.message =
            QStringLiteral("Tool %1 of %2 changed or is new since its definition was approved; it "
                           "is held until a person reviews it in Gatehouse (or runs: gatehouse "
                           "pins accept %2 %1)")
                .arg(record.tool, record.server);
    } else if (m_gate->refusesForAudit()) {
        decision.verdict = Verdict::Denied;
        decision.rule = DecisionRule::auditUnavailable();
        decision.message = QStringLiteral("Gatehouse cannot write its audit log (disk full or read-only?); "
                                          "calls are refused until it can");
    } else {
        decision = m_gate->decide(call, record.time.toMSecsSinceEpoch());
    }
    if (decision.verdict == Verdict::NeedsApproval) {
        ApprovalBroker* broker = m_gate->approvals();
        if (!broker) {
            // No way to ask a person in this configuration: fail closed.
            decision.verdict = Verdict::Denied;
            decision.message += QStringLiteral(", and no one is available to approve it");
        } else if (broker->isAllowedForSession(m_id, record.server, record.tool)) {
            const QString asked = decision.rule;
            decision = m_gate->reserveApproved(call, QDateTime::currentMSecsSinceEpoch());
            if (decision.isAllowed())
                decision.rule = asked;
            record.approver = QStringLiteral("(allowed for this session)");
        } else {
            record.verdict = Verdict::NeedsApproval;
            record.rule = decision.rule;
            record.message = decision.message;
            m_gate->recordDecided(record);
            askPerson(message, record, decision);
            return;
        }
    }
    record.verdict = decision.verdict;
    record.rule = decision.rule;
    record.message = decision.message;
    m_gate->recordDecided(record);
    if (decision.isAllowed())
        forward(message, record, decision.reservation);
    else
        refuse(id, record, decision);
}

void ClientSession::refuse(const QJsonValue& id, CallRecord record, const Decision& decision)
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
    untrack(id);
    QPointer<ClientSession> self(this);
    // A refusal ran nothing, so it is sent even when it could not be recorded.
    m_gate->recordFinished(record, [self, response, id](bool) {
        if (self)
            emit self->outgoing(response, id);
    });
}

void ClientSession::askPerson(const QJsonObject& message, const CallRecord& record, const Decision& decision)
{
    ApprovalBroker* broker = m_gate->approvals();
    const QJsonValue id = message.value(QStringLiteral("id"));
    const QString key = jsonrpc::idKey(id);
    track(id);

    ApprovalRequest request;
    request.server = record.server;
    request.session = m_id;
    request.grant = m_grant;
    request.client = m_client;
    request.tool = record.tool;
    request.arguments = record.arguments;
    request.rule = decision.rule;
    request.message = decision.message;

    // While a person decides, progress notifications keep the client's request timeout from firing.
    const QJsonValue progressToken = message.value(QStringLiteral("params"))
                                         .toObject()
                                         .value(QStringLiteral("_meta"))
                                         .toObject()
                                         .value(QStringLiteral("progressToken"));
    QPointer<QTimer> keepAlive;
    if (!progressToken.isUndefined()) {
        keepAlive = new QTimer(this);
        auto tick = [this, progressToken, id, n = 0]() mutable {
            emit outgoing(jsonrpc::makeNotification(QStringLiteral("notifications/progress"),
                                                    {{QStringLiteral("progressToken"), progressToken},
                                                     {QStringLiteral("progress"), ++n},
                                                     {QStringLiteral("message"),
                                                      QStringLiteral("Waiting for approval in Gatehouse…")}}),
                          id);
        };
        connect(keepAlive, &QTimer::timeout, this, tick);
        keepAlive->start(ProgressIntervalMs);
        tick();
    }

    const auto policy = m_gate->policy();
    const int timeout = policy ? policy->approvalTimeoutSeconds() : ApprovalSettings::DefaultTimeoutSeconds;
    const TimeoutOutcome onTimeout = policy ? policy->approvalTimeoutOutcome() : TimeoutOutcome::Deny;
    QPointer<ClientSession> self(this);
    const quint64 ticket =
        broker->ask(request, timeout, onTimeout,
                    [self, message, record, keepAlive, key](const ApprovalAnswer& answer) mutable {
                        if (keepAlive)
                            keepAlive->deleteLater();
                        if (!self)
                            return;
                        self->m_approvals.remove(key);
                        self->onApprovalAnswer(message, record, answer);
                    });
    m_approvals.insert(key, {ticket, record});
}

void ClientSession::onApprovalAnswer(const QJsonObject& message, CallRecord record,
                                     const ApprovalAnswer& answer)
{
    const QJsonValue id = message.value(QStringLiteral("id"));
    record.approver = answer.approver;
    record.approvalNote = answer.note;
    const QString asked = record.rule;
    Decision decision;
    QJsonObject outgoing = message;
    if (answer.allows() && answer.editedArguments) {
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
    if (answer.allows()) {
        const ToolCall call{record.tool, record.arguments, m_grant, m_id};
        decision = m_gate->reserveApproved(call, QDateTime::currentMSecsSinceEpoch());
        if (decision.isAllowed()) {
            decision.rule =
                answer.outcome == ApprovalAnswer::Outcome::TimedOut || answer.approver == u"(timeout)"
                    ? DecisionRule::approvalTimeout()
                    : asked;
            record.verdict = Verdict::Allowed;
            record.rule = decision.rule;
            record.message = QStringLiteral("approved by %1").arg(answer.approver);
            forward(outgoing, record, decision.reservation);
            return;
        }
    } else {
        decision.verdict = Verdict::Denied;
        if (answer.outcome == ApprovalAnswer::Outcome::TimedOut) {
            decision.rule = DecisionRule::approvalTimeout();
            decision.message =
                QStringLiteral("%1 needed approval and no one answered in time").arg(record.tool);
        } else {
            decision.rule = DecisionRule::rejectedBy(answer.approver);
            decision.message =
                answer.note.isEmpty()
                    ? QStringLiteral("%1 was rejected by a person").arg(record.tool)
                    : QStringLiteral("%1 was rejected by a person: %2").arg(record.tool, answer.note);
        }
    }
    refuse(id, record, decision);
}

void ClientSession::forward(const QJsonObject& message, CallRecord record, Reservation reservation)
{
    const QJsonValue id = message.value(QStringLiteral("id"));
    track(id);
    QElapsedTimer clock;
    clock.start();
    QPointer<ClientSession> self(this);
    PolicyGate* gate = m_gate;
    if (!m_upstream) { // stopped while a person was deciding
        reservation.rollback();
        untrack(id);
        emit outgoing(
            jsonrpc::makeError(id, jsonrpc::InternalError, QStringLiteral("the upstream server stopped")),
            id);
        return;
    }
    m_upstream->request(
        this, message, [self, gate, record, reservation, clock](const QJsonObject& response) mutable {
            record.measureLatency();
            record.upstreamMs = clock.nsecsElapsed() / 1e6;
            record.resultBytes = resultSize(response);
            record.response = response;
            const bool cancelled = self && !self->hasInFlight(response.value(QStringLiteral("id")));
            if (cancelled) {
                // The upstream may already have run it: the quota stays spent.
                reservation.commit();
                record.outcome = CallRecord::Outcome::Cancelled;
            } else if (response.contains(QStringLiteral("error"))) {
                // The tool never ran (or we cannot know it did): the quota goes back.
                reservation.rollback();
                record.outcome = CallRecord::Outcome::Failed;
                record.upstreamError = response.value(QStringLiteral("error"))
                                           .toObject()
                                           .value(QStringLiteral("message"))
                                           .toString();
            } else {
                // isError results count: the tool ran.
                reservation.commit();
                record.outcome = CallRecord::Outcome::Answered;
                record.resultIsError = response.value(QStringLiteral("result"))
                                           .toObject()
                                           .value(QStringLiteral("isError"))
                                           .toBool();
            }
            gate->recordFinished(record, [self, response](bool recorded) {
                if (!self)
                    return;
                if (recorded) {
                    self->reply(response);
                    return;
                }
                // Fail closed: what cannot be recorded is not handed over.
                self->reply(jsonrpc::makeError(
                    response.value(QStringLiteral("id")), jsonrpc::InternalError,
                    QStringLiteral(
                        "Gatehouse could not write this call to its audit log (disk full or read-only?), "
                        "so its answer is withheld. The tool may have run.")));
            });
        });
}

void ClientSession::handleNotification(const QJsonObject& message)
{
    const QString method = message.value(QStringLiteral("method")).toString();
    if (method == u"notifications/cancelled") {
        const QJsonObject params = message.value(QStringLiteral("params")).toObject();
        const QJsonValue requestId = params.value(QStringLiteral("requestId"));
        if (!hasInFlight(requestId))
            return;
        untrack(requestId);
        if (m_approvals.contains(jsonrpc::idKey(requestId))) {
            // Still waiting for a person: the prompt is withdrawn, the call recorded as cancelled.
            withdrawApproval(jsonrpc::idKey(requestId));
            return;
        }
        m_upstream->cancel(this, requestId, params.value(QStringLiteral("reason")).toString());
        return;
    }
    m_upstream->notify(this, message);
}

void ClientSession::deliverFromUpstream(const QJsonObject& message, const QJsonValue& related)
{
    if (m_closed)
        return;
    emit outgoing(message, related);
}

void ClientSession::notifyToolsChanged()
{
    if (!m_closed)
        emit outgoing(jsonrpc::makeNotification(QStringLiteral("notifications/tools/list_changed"), {}),
                      QJsonValue(QJsonValue::Undefined));
}

} // namespace gatehouse
