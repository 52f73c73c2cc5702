// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientSession.h"

#include "PolicyGate.h"
#include "Upstream.h"
#include "mcp/JsonRpc.h"
#include "mcp/ToolRefusal.h"

#include <QJsonArray>
#include <QPointer>
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
    m_upstream->detach(this);
    m_inFlight.clear();
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
    switch (m.kind) {
    case jsonrpc::Kind::Request:
        if (hasInFlight(m.id())) {
            // Ids must be unique among a sender's requests in flight; answering would be ambiguous.
            emit outgoing(jsonrpc::makeError(
                              m.id(), jsonrpc::InvalidRequest,
                              QStringLiteral("request id %1 is already in flight")
                                  .arg(QString::fromUtf8(jsonrpc::encode({{QStringLiteral("id"), m.id()}})))),
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
        } else if (method == u"tools/list" && response.contains(QStringLiteral("result"))) {
            QJsonArray visible;
            for (const QJsonValue& tool : result.value(QStringLiteral("tools")).toArray())
                if (!gate->isHidden(tool.toObject().value(QStringLiteral("name")).toString()))
                    visible.append(tool);
            result.insert(QStringLiteral("tools"), visible);
            out.insert(QStringLiteral("result"), result);
        }
        self->reply(out);
    });
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
    record.server = m_upstream->serverName();
    record.session = m_id;
    record.grant = m_grant;
    record.requestId = QString::fromUtf8(jsonrpc::encode({{QStringLiteral("i"), id}})).mid(5).chopped(1);
    record.tool = nameValue.toString();
    record.arguments = argsValue.toObject();

    const ToolCall call{record.tool, record.arguments, m_grant, m_id};
    Decision decision = m_gate->decide(call, record.time.toMSecsSinceEpoch());
    if (decision.verdict == Verdict::NeedsApproval) {
        // Approvals arrive with the approval broker; until a person can be asked, fail closed.
        decision.verdict = Verdict::Denied;
        decision.message += QStringLiteral(", and no one is available to approve it");
    }
    record.verdict = decision.verdict;
    record.rule = decision.rule;
    record.message = decision.message;
    m_gate->recordDecided(record);

    QElapsedTimer clock;
    clock.start();
    if (!decision.isAllowed()) {
        const QJsonObject response = toolRefusalResponse(id, record.tool, decision);
        record.outcome = CallRecord::Outcome::Refused;
        record.resultIsError = true;
        record.resultBytes = resultSize(response);
        emit outgoing(response, id);
        m_gate->recordFinished(record);
        return;
    }

    track(id);
    QPointer<ClientSession> self(this);
    PolicyGate* gate = m_gate;
    Reservation reservation = decision.reservation;
    m_upstream->request(
        this, message, [self, gate, record, reservation, clock](const QJsonObject& response) mutable {
            record.latencyMs = clock.nsecsElapsed() / 1e6;
            record.resultBytes = resultSize(response);
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
            gate->recordFinished(record);
            if (self)
                self->reply(response);
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
