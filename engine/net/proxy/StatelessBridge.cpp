// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatelessBridge.h"

#include "ClientSession.h"
#include "McpHttpEndpoint.h"
#include "UpstreamServer.h"
#include "http/BearerToken.h"
#include "mcp/ClientCapabilities.h"
#include "mcp/InputRounds.h"
#include "mcp/JsonRpc.h"
#include "mcp/ProtocolVersions.h"
#include "mcp/StatelessEra.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QTimer>

namespace gatehouse {

namespace {
using stateless::MetaPrefix;
const QString InitId = QStringLiteral("gh-sl-init");

} // namespace

StatelessBridge::StatelessBridge(UpstreamServer* server, const QString& grant, PolicyGate* gate,
                                 QObject* parent)
    : QObject(parent)
    , m_server(server)
    , m_upstream(server->acquire(EraAdapter::Prefer::Stateless))
    , m_session(new ClientSession(QStringLiteral("stateless-") + QString::fromLatin1(randomToken().left(8)),
                                  grant, m_upstream, gate, this))
{
    m_lastActivity.start();
    m_session->setForStatelessClients();
    connect(m_session, &ClientSession::outgoing, this, &StatelessBridge::onOutgoing);
}

StatelessBridge::~StatelessBridge()
{
    m_session->close();
    m_server->release(m_upstream);
}

qint64 StatelessBridge::idleMs() const
{
    return m_pending.isEmpty() ? m_lastActivity.elapsed() : 0;
}

bool StatelessBridge::mayAsk(const Pending& p, const QJsonObject& request)
{
    if (p.method != u"tools/call" && p.method != u"prompts/get" && p.method != u"resources/read")
        return false;
    return !mcp::capabilityFor(request.value(QStringLiteral("method")).toString()).isEmpty() &&
           mcp::clientCanAnswer(p.clientCapabilities, request);
}

QString StatelessBridge::handle(const QJsonObject& request, Sink sink)
{
    m_lastActivity.start();
    // A retry that answers what Gatehouse asked: the call it belongs to carries on, on this new stream.
    const QJsonObject params = request.value(QStringLiteral("params")).toObject();
    const auto waiting = m_waiting.find(params.value(QStringLiteral("requestState")).toString());
    if (waiting != m_waiting.end() && m_pending.contains(waiting->handle)) {
        const Waiting w = *waiting;
        m_waiting.erase(waiting);
        Pending& p = m_pending[w.handle];
        p.clientId = request.value(QStringLiteral("id"));
        p.sink = std::move(sink);
        ++p.stream;
        const QString ticket = QStringLiteral("%1#%2").arg(w.handle).arg(p.stream);
        answerQuestions(w, params.value(QStringLiteral("inputResponses")).toObject());
        return ticket;
    }
    const QString handle = QStringLiteral("gh-sl-%1").arg(m_nextId++);
    Pending p;
    p.clientId = request.value(QStringLiteral("id"));
    p.method = request.value(QStringLiteral("method")).toString();
    p.sink = std::move(sink);
    p.clientCapabilities =
        params.value(QStringLiteral("_meta"))[MetaPrefix + QStringLiteral("clientCapabilities")].toObject();
    if (p.listens())
        p.listenFor = params.value(QStringLiteral("notifications")).toObject();
    m_pending.insert(handle, std::move(p));
    // The era's _meta stays on (the client's capabilities, its log level): the upstream's EraAdapter passes
    // it on to a server of this era and keeps it from one of the session era.
    QJsonObject forwarded = request;
    forwarded.insert(QStringLiteral("id"), handle);
    if (m_state == State::Ready) {
        send(handle, forwarded);
    } else {
        m_queue.append({handle, forwarded}); // until the session is open
        if (m_state == State::New)
            start();
    }
    return handle + QStringLiteral("#0");
}

void StatelessBridge::start()
{
    m_state = State::Initializing;
    // Gatehouse speaks for its stateless clients: one session-era session, opened once.
    m_session->receive(jsonrpc::makeRequest(
        InitId, QStringLiteral("initialize"),
        QJsonObject{
            {QStringLiteral("protocolVersion"), mcp::sessionEraVersions().last()},
            // Everything a client may be asked: whether this one can answer is checked per call (mayAsk),
            // from the capabilities its request declares.
            {QStringLiteral("capabilities"),
             QJsonObject{{QStringLiteral("elicitation"), QJsonObject{{QStringLiteral("form"), QJsonObject()},
                                                                     {QStringLiteral("url"), QJsonObject()}}},
                         {QStringLiteral("sampling"), QJsonObject()},
                         {QStringLiteral("roots"), QJsonObject()}}},
            {QStringLiteral("clientInfo"),
             QJsonObject{{QStringLiteral("name"), QStringLiteral("gatehouse (for stateless clients)")},
                         {QStringLiteral("version"), QCoreApplication::applicationVersion()}}}}));
}

void StatelessBridge::send(const QString& handle, const QJsonObject& request)
{
    auto p = m_pending.find(handle);
    if (p == m_pending.end())
        return; // cancelled while waiting
    if (m_state == State::Failed) {
        const Pending gone = m_pending.take(handle);
        gone.sink(jsonrpc::makeError(gone.clientId, jsonrpc::InternalError,
                                     QStringLiteral("the upstream server did not start: ") + m_failure),
                  true);
        return;
    }
    if (p->method == u"server/discover")
        return answerDiscover(handle);
    if (p->listens())
        return acknowledgeListen(handle);
    m_session->receive(request);
}

void StatelessBridge::cancel(const QString& ticket)
{
    const QString handle = ticket.section(u'#', 0, 0);
    const auto p = m_pending.find(handle);
    if (p == m_pending.end() || QString::number(p->stream) != ticket.section(u'#', 1) || !p->sink)
        return; // answered, carried on another stream now, or waiting for the client's retry
    const bool queued = m_queue.removeIf([&](const auto& q) { return q.first == handle; }) > 0;
    const bool forwarded = !queued && !p->listens() && p->method != u"server/discover";
    m_pending.erase(p);
    if (forwarded)
        m_session->receive(jsonrpc::makeNotification(
            QStringLiteral("notifications/cancelled"),
            QJsonObject{{QStringLiteral("requestId"), handle},
                        {QStringLiteral("reason"), QStringLiteral("the client closed its stream")}}));
}

QJsonObject StatelessBridge::decorate(QJsonObject result, const QString& method) const
{
    // Lists are cacheable results in this era; Gatehouse's answers depend on the policy of the moment.
    if (method.endsWith(QLatin1String("/list")) || method == u"resources/read" ||
        method == u"server/discover") {
        if (!result.contains(QStringLiteral("ttlMs")))
            result.insert(QStringLiteral("ttlMs"), 0);
        if (!result.contains(QStringLiteral("cacheScope")))
            result.insert(QStringLiteral("cacheScope"), QStringLiteral("private"));
    }
    if (!result.contains(QStringLiteral("resultType")))
        result.insert(QStringLiteral("resultType"), QStringLiteral("complete"));
    QJsonObject meta = result.value(QStringLiteral("_meta")).toObject();
    meta.insert(MetaPrefix + QStringLiteral("serverInfo"), m_init.value(QStringLiteral("serverInfo")));
    result.insert(QStringLiteral("_meta"), meta);
    return result;
}

void StatelessBridge::ask(const QString& handle, const QJsonObject& request)
{
    // Questions the upstream asks together (a stateless server's input-required result becomes several
    // requests at once) reach the client as one result.
    QList<Question>& asking = m_asking[handle];
    if (asking.isEmpty())
        QTimer::singleShot(0, this, [this, handle] { putQuestions(handle); });
    const QJsonValue id = request.value(QStringLiteral("id"));
    QString key = InputRounds::inputKeyOf(id);
    if (key.isEmpty())
        key = asking.isEmpty() ? QStringLiteral("gatehouse")
                               : QStringLiteral("gatehouse-%1").arg(asking.size() + 1);
    asking.append({key, id,
                   QJsonObject{{QStringLiteral("method"), request.value(QStringLiteral("method"))},
                               {QStringLiteral("params"), request.value(QStringLiteral("params"))}}});
}

void StatelessBridge::putQuestions(const QString& handle)
{
    Waiting waiting{handle, m_asking.take(handle)};
    const auto p = m_pending.find(handle);
    if (p == m_pending.end() || !p->sink) {
        answerQuestions(waiting, {}); // the call ended meanwhile
        return;
    }
    QJsonObject inputRequests;
    for (const Question& q : std::as_const(waiting.questions))
        inputRequests.insert(q.key, q.ask);
    const QString state = QStringLiteral("gh-input-%1").arg(m_nextId++);
    m_waiting.insert(state, std::move(waiting));
    p->sink(jsonrpc::makeResult(
                p->clientId,
                decorate(QJsonObject{{QStringLiteral("resultType"), QStringLiteral("input_required")},
                                     {QStringLiteral("inputRequests"), inputRequests},
                                     {QStringLiteral("requestState"), state}},
                         p->method)),
            true);
    p->sink = nullptr;
}

void StatelessBridge::answerQuestions(const Waiting& waiting, const QJsonObject& inputResponses)
{
    for (const Question& q : waiting.questions) {
        const QJsonValue answer = inputResponses.value(q.key);
        if (answer.isObject())
            m_session->receive(jsonrpc::makeResult(q.askId, answer.toObject()));
        else
            m_session->receive(
                jsonrpc::makeError(q.askId, jsonrpc::InvalidParams,
                                   QStringLiteral("the client's retry carried no answer to %1").arg(q.key)));
    }
}

void StatelessBridge::answerDiscover(const QString& handle)
{
    const Pending p = m_pending.take(handle);
    QJsonObject result{
        {QStringLiteral("supportedVersions"), QJsonArray::fromStringList(mcp::versionsNewestFirst())},
        {QStringLiteral("capabilities"), m_init.value(QStringLiteral("capabilities"))}};
    if (m_init.contains(QStringLiteral("instructions")))
        result.insert(QStringLiteral("instructions"), m_init.value(QStringLiteral("instructions")));
    p.sink(jsonrpc::makeResult(p.clientId, decorate(result, p.method)), true);
}

void StatelessBridge::acknowledgeListen(const QString& handle)
{
    Pending& p = m_pending[handle];
    // What can be delivered: list changes of what the server has (Gatehouse itself announces tool changes).
    const QJsonObject caps = m_init.value(QStringLiteral("capabilities")).toObject();
    QJsonObject agreed;
    auto offer = [&](const char* key, bool available) {
        const QString k = QString::fromLatin1(key);
        if (p.listenFor.value(k).toBool() && available)
            agreed.insert(k, true);
    };
    offer("toolsListChanged", true);
    offer("promptsListChanged",
          caps.value(QStringLiteral("prompts"))[QStringLiteral("listChanged")].toBool());
    offer("resourcesListChanged",
          caps.value(QStringLiteral("resources"))[QStringLiteral("listChanged")].toBool());
    p.listenFor = agreed;
    p.sink(jsonrpc::makeNotification(
               QStringLiteral("notifications/subscriptions/acknowledged"),
               QJsonObject{{QStringLiteral("notifications"), agreed},
                           {QStringLiteral("_meta"),
                            QJsonObject{{MetaPrefix + QStringLiteral("subscriptionId"), p.clientId}}}}),
           false);
}

void StatelessBridge::onOutgoing(const QJsonObject& message, const QJsonValue& related)
{
    m_lastActivity.start();
    const QString method = message.value(QStringLiteral("method")).toString();
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (method.isEmpty()) { // a response
        const QString handle = id.toString();
        if (handle == InitId) {
            if (message.contains(QStringLiteral("result"))) {
                m_init = message.value(QStringLiteral("result")).toObject();
                m_state = State::Ready;
                m_session->receive(
                    jsonrpc::makeNotification(QStringLiteral("notifications/initialized"), {}));
            } else {
                m_state = State::Failed;
                m_failure = message.value(QStringLiteral("error"))[QStringLiteral("message")].toString();
            }
            for (const auto& [h, request] : std::exchange(m_queue, {}))
                send(h, request);
            if (m_state == State::Failed)
                m_state = State::New; // the next request tries again
            return;
        }
        const auto p = m_pending.find(handle);
        if (p == m_pending.end())
            return; // cancelled
        const Pending done = *p;
        m_pending.erase(p);
        if (!done.sink)
            return; // it waits for the client's retry, which will not come now
        QJsonObject out = message;
        out.insert(QStringLiteral("id"), done.clientId);
        if (done.method == u"tools/list")
            stateless::collectParamHeaders(out.value(QStringLiteral("result")).toObject(), &m_paramHeaders);
        if (out.contains(QStringLiteral("result")))
            out.insert(QStringLiteral("result"),
                       decorate(out.value(QStringLiteral("result")).toObject(), done.method));
        done.sink(out, true);
        return;
    }
    if (!id.isUndefined()) {
        // The upstream asks the client something while a call runs: in this era that is an input-required
        // result, and the client's retry brings the answer.
        const auto p = related.isUndefined() ? m_pending.end() : m_pending.find(related.toString());
        if (p != m_pending.end() && p->sink && mayAsk(*p, message))
            return ask(related.toString(), message);
        m_session->receive(jsonrpc::makeError(
            id, jsonrpc::MethodNotFound,
            QStringLiteral("%1 cannot be passed on: the client speaks MCP %2, which takes no requests from "
                           "servers")
                .arg(method, mcp::statelessVersion())));
        return;
    }
    if (!related.isUndefined()) {
        const auto p = m_pending.constFind(related.toString());
        if (p != m_pending.constEnd() && p->sink)
            p->sink(message, false); // progress and logs of that request, on its stream
        return;
    }
    // Change notifications go to the listeners that asked for them.
    static const QHash<QString, QString> wanted{
        {QStringLiteral("notifications/tools/list_changed"), QStringLiteral("toolsListChanged")},
        {QStringLiteral("notifications/prompts/list_changed"), QStringLiteral("promptsListChanged")},
        {QStringLiteral("notifications/resources/list_changed"), QStringLiteral("resourcesListChanged")}};
    const QString key = wanted.value(method);
    if (key.isEmpty())
        return;
    for (const Pending& p : std::as_const(m_pending)) {
        if (!p.listens() || !p.listenFor.value(key).toBool() || !p.sink)
            continue;
        QJsonObject n = message;
        QJsonObject params = n.value(QStringLiteral("params")).toObject();
        QJsonObject meta = params.value(QStringLiteral("_meta")).toObject();
        meta.insert(MetaPrefix + QStringLiteral("subscriptionId"), p.clientId);
        params.insert(QStringLiteral("_meta"), meta);
        n.insert(QStringLiteral("params"), params);
        p.sink(n, false);
    }
}

} // namespace gatehouse
