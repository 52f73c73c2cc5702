// SPDX-License-Identifier: GPL-3.0-or-later
#include "EraAdapter.h"

#include "mcp/JsonRpc.h"
#include "mcp/StatelessEra.h"

#include <QJsonArray>

namespace gatehouse {

namespace {
const QString Method = QStringLiteral("method");
const QString Params = QStringLiteral("params");
const QString DiscoverId = QStringLiteral("gh-discover");
const QString ListenId = QStringLiteral("gh-listen");

int errorCode(const QJsonObject& response)
{
    return response.value(QStringLiteral("error"))[QStringLiteral("code")].toInt();
}
int httpStatus(const QJsonObject& response)
{
    return response.value(QStringLiteral("error"))[QStringLiteral("data")][QStringLiteral("httpStatus")]
        .toInt();
}
QJsonObject withId(QJsonObject message, const QJsonValue& id)
{
    message.insert(QStringLiteral("id"), id);
    return message;
}
} // namespace

EraAdapter::EraAdapter(std::unique_ptr<UpstreamTransport> transport, Prefer prefer, Fallback legacy,
                       QObject* parent)
    : UpstreamTransport(parent)
    , m_prefer(prefer)
    , m_legacy(std::move(legacy))
{
    adopt(std::move(transport));
    m_relisten.setSingleShot(true);
    connect(&m_relisten, &QTimer::timeout, this, &EraAdapter::listen);
}

EraAdapter::~EraAdapter() = default;

void EraAdapter::adopt(std::unique_ptr<UpstreamTransport> transport)
{
    if (m_transport) {
        // Replaced from inside one of its own signals: it goes once that emission is over.
        m_transport->disconnect(this);
        m_transport.release()->deleteLater();
    }
    m_transport = std::move(transport);
    m_transport->setParent(nullptr);
    connect(m_transport.get(), &UpstreamTransport::messageReceived, this, &EraAdapter::onMessage);
    connect(m_transport.get(), &UpstreamTransport::ready, this, [this] {
        if (!std::exchange(m_switching, false))
            emit ready();
    });
    connect(m_transport.get(), &UpstreamTransport::lost, this, [this](const QString& reason) {
        forgetCalls();
        emit lost(reason);
    });
    connect(m_transport.get(), &UpstreamTransport::logLine, this, &UpstreamTransport::logLine);
}

void EraAdapter::start()
{
    m_transport->start();
}

void EraAdapter::stop()
{
    m_relisten.stop();
    m_probe = Probe::None;
    forgetCalls();
    m_transport->stop();
}

bool EraAdapter::isReady() const
{
    return m_transport->isReady();
}

bool EraAdapter::isShared() const
{
    return m_transport->isShared();
}

QString EraAdapter::describe() const
{
    return m_transport->describe();
}

void EraAdapter::forgetCalls()
{
    m_calls.clear();
    m_retryOf.clear();
    m_wireId.clear();
    m_input = InputRounds();
}

void EraAdapter::send(const QJsonObject& message)
{
    if (message.value(Method).toString() == u"initialize" && message.contains(QStringLiteral("id")))
        return negotiate(message);
    if (m_era == Era::Stateless)
        return sendStateless(message);
    // A stateless client's request keeps its era's _meta up to here; a session-era server never sees it.
    // Before any initialize (`gatehouse connect` carrying a client of either era) messages pass as they are.
    m_transport->send(m_era == Era::Session ? stateless::withoutEraMeta(message) : message);
}

void EraAdapter::negotiate(const QJsonObject& initialize)
{
    m_initialize = initialize;
    if (m_era == Era::Stateless) // started again (a restarted child): its era is known
        return discover(Probe::Discover);
    if (m_era == Era::Unknown && m_prefer == Prefer::Stateless)
        return discover(Probe::DiscoverThenInitialize);
    m_probe = Probe::Initialize;
    m_transport->send(initialize);
}

void EraAdapter::discover(Probe probe)
{
    m_probe = probe;
    m_transport->send(withMeta(jsonrpc::makeRequest(DiscoverId, QStringLiteral("server/discover"), {})));
}

void EraAdapter::onMessage(const QJsonObject& message, const QJsonValue& related)
{
    const QJsonValue id = message.value(QStringLiteral("id"));
    const bool response = !message.contains(Method) && !id.isUndefined();
    if (response && m_probe != Probe::None &&
        jsonrpc::idKey(id) == jsonrpc::idKey(m_probe == Probe::Initialize
                                                 ? m_initialize.value(QStringLiteral("id"))
                                                 : QJsonValue(DiscoverId)))
        return onProbeAnswer(message);
    if (m_era == Era::Stateless)
        return receiveStateless(message, related);
    emit messageReceived(message, related);
}

void EraAdapter::onProbeAnswer(const QJsonObject& response)
{
    const Probe probe = std::exchange(m_probe, Probe::None);
    const bool failed = response.contains(QStringLiteral("error"));
    if (probe == Probe::Initialize) {
        if (!failed) {
            m_era = Era::Session;
        } else if (stateless::isEraError(errorCode(response))) {
            // Only a server of the stateless era answers with its own errors: speak its era.
            return discover(Probe::Discover);
        } else if (m_legacy && QList<int>{400, 404, 405}.contains(httpStatus(response))) {
            emit logLine(
                QStringLiteral("%1 refused a Streamable HTTP initialize; trying HTTP+SSE").arg(describe()));
            m_switching = true;
            m_transport->stop();
            adopt(std::exchange(m_legacy, {})());
            m_transport->start();
            m_probe = Probe::Initialize;
            m_transport->send(m_initialize);
            return;
        }
        emit messageReceived(response, QJsonValue(QJsonValue::Undefined));
        return;
    }
    const QJsonObject result = response.value(QStringLiteral("result")).toObject();
    const QJsonArray versions = result.value(QStringLiteral("supportedVersions")).toArray();
    if (!failed && versions.contains(QLatin1String(stateless::Version)))
        return becomeStateless(result);
    if (probe == Probe::DiscoverThenInitialize) { // a server of the session era (or of an era too new)
        m_probe = Probe::Initialize;
        m_transport->send(m_initialize);
        return;
    }
    const QString why =
        failed ? response.value(QStringLiteral("error"))[QStringLiteral("message")].toString()
               : QStringLiteral("the server does not offer MCP %1").arg(QLatin1String(stateless::Version));
    emit messageReceived(jsonrpc::makeError(m_initialize.value(QStringLiteral("id")), jsonrpc::InternalError,
                                            QStringLiteral("server/discover failed: ") + why),
                         QJsonValue(QJsonValue::Undefined));
}

void EraAdapter::becomeStateless(const QJsonObject& discovered)
{
    if (m_era != Era::Stateless)
        emit logLine(QStringLiteral("%1 speaks MCP %2 (stateless); Gatehouse translates for its sessions")
                         .arg(describe(), QLatin1String(stateless::Version)));
    m_era = Era::Stateless;
    m_discovered = discovered;
    const QString version = m_initialize.value(Params)[QStringLiteral("protocolVersion")].toString();
    emit messageReceived(jsonrpc::makeResult(m_initialize.value(QStringLiteral("id")),
                                             stateless::initializeResultFrom(discovered, version)),
                         QJsonValue(QJsonValue::Undefined));
    m_listenFailures = 0;
    QTimer::singleShot(0, this, &EraAdapter::listen);
}

QJsonObject EraAdapter::withMeta(const QJsonObject& request) const
{
    // The capabilities the server is told of are the session's (for a shared child, the union of its
    // clients'), with the first client's identity.
    const QJsonObject params = m_initialize.value(Params).toObject();
    return stateless::withEraMeta(request, params.value(QStringLiteral("capabilities")).toObject(),
                                  params.value(QStringLiteral("clientInfo")).toObject());
}

void EraAdapter::sendStateless(const QJsonObject& message)
{
    const QString method = message.value(Method).toString();
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (method.isEmpty())
        return onClientAnswer(message);
    if (id.isUndefined()) {
        // The era has no handshake or roots notifications; a cancellation names the call's current id.
        if (method != u"notifications/cancelled")
            return;
        QJsonObject params = message.value(Params).toObject();
        const QString call = jsonrpc::idKey(params.value(QStringLiteral("requestId")));
        m_input.forget(call);
        m_calls.remove(call);
        if (const auto wire = m_wireId.constFind(call); wire != m_wireId.constEnd()) {
            m_retryOf.remove(jsonrpc::idKey(*wire));
            params.insert(QStringLiteral("requestId"), *wire);
            m_wireId.erase(wire);
        }
        QJsonObject out = message;
        out.insert(Params, params);
        // With the era's _meta: over HTTP it closes the call's stream, and is not sent at all.
        m_transport->send(withMeta(out));
        return;
    }
    m_calls.insert(jsonrpc::idKey(id), message);
    m_transport->send(withMeta(message));
}

void EraAdapter::onClientAnswer(const QJsonObject& response)
{
    const std::optional<InputRounds::Answered> a = m_input.answer(response);
    if (!a)
        return; // a late answer to a question of a call that is over (the era's servers ask no other way)
    if (!a->error.isEmpty()) {
        const QJsonObject call = m_calls.take(a->call);
        if (const auto wire = m_wireId.constFind(a->call); wire != m_wireId.constEnd()) {
            m_retryOf.remove(jsonrpc::idKey(*wire));
            m_wireId.erase(wire);
        }
        if (!call.isEmpty())
            emit messageReceived(jsonrpc::makeError(call.value(QStringLiteral("id")),
                                                    a->error.value(QStringLiteral("code")).toInt(),
                                                    a->error.value(QStringLiteral("message")).toString()),
                                 QJsonValue(QJsonValue::Undefined));
    } else if (a->complete) {
        retry(a->call);
    }
}

void EraAdapter::retry(const QString& call)
{
    const auto original = m_calls.constFind(call);
    if (original == m_calls.constEnd()) {
        m_input.forget(call);
        return;
    }
    // The same call again, under an id of its own, with what the session answered.
    QJsonObject request = *original;
    request.insert(Params, m_input.retryParams(call, original->value(Params).toObject()));
    const QJsonValue retryId = QStringLiteral("gh-retry-%1").arg(m_nextRetry++);
    if (const auto previous = m_wireId.constFind(call); previous != m_wireId.constEnd())
        m_retryOf.remove(jsonrpc::idKey(*previous));
    m_retryOf.insert(jsonrpc::idKey(retryId), original->value(QStringLiteral("id")));
    m_wireId.insert(call, retryId);
    m_transport->send(withMeta(withId(request, retryId)));
}

void EraAdapter::receiveStateless(const QJsonObject& message, const QJsonValue& related)
{
    const QString method = message.value(Method).toString();
    const QJsonValue id = message.value(QStringLiteral("id"));
    if (!method.isEmpty()) {
        if (method == u"notifications/subscriptions/acknowledged")
            return;
        QJsonObject params = message.value(Params).toObject();
        QJsonObject meta = params.value(QStringLiteral("_meta")).toObject();
        const QString subscription = stateless::MetaPrefix + QStringLiteral("subscriptionId");
        if (id.isUndefined() && meta.contains(subscription)) {
            meta.remove(subscription);
            // A change notification from the listen request: the session knows no subscription ids.
            m_listenFailures = 0;
            if (meta.isEmpty())
                params.remove(QStringLiteral("_meta"));
            else
                params.insert(QStringLiteral("_meta"), meta);
            QJsonObject out = message;
            out.insert(Params, params);
            emit messageReceived(out, QJsonValue(QJsonValue::Undefined));
            return;
        }
        // Progress and logs of a retry belong to the call it retries.
        const QJsonValue call = m_retryOf.value(jsonrpc::idKey(related), related);
        emit messageReceived(message, call);
        return;
    }
    if (id.toString() == ListenId) {
        // The listen request ended (the server closed it, or went away): listen again, after a pause.
        m_relisten.start(std::min(60'000, 1000 << std::min(m_listenFailures++, 6)));
        return;
    }
    QJsonValue original = id;
    if (const auto r = m_retryOf.constFind(jsonrpc::idKey(id)); r != m_retryOf.constEnd())
        original = *r;
    const QString call = jsonrpc::idKey(original);
    const QJsonObject result = message.value(QStringLiteral("result")).toObject();
    if (result.value(QStringLiteral("resultType")).toString() == u"input_required" &&
        m_calls.contains(call)) {
        // The server needs something from the client first: asked as the session era asks, with
        // requests, related to the call so that they reach the session that made it.
        const QList<QJsonObject> asks = m_input.start(call, result);
        for (const QJsonObject& ask : asks) {
            if (!m_calls.contains(call))
                break; // an earlier question was refused at once, and the call failed with it
            emit messageReceived(ask, original);
        }
        if (asks.isEmpty())
            retry(call); // only state to carry back
        return;
    }
    m_retryOf.remove(jsonrpc::idKey(id));
    m_calls.remove(call);
    m_wireId.remove(call);
    emit messageReceived(withId(message, original), related);
}

void EraAdapter::listen()
{
    if (m_era != Era::Stateless || !m_transport->isReady())
        return;
    const QJsonObject caps = m_discovered.value(QStringLiteral("capabilities")).toObject();
    QJsonObject wanted;
    for (const char* kind : {"tools", "prompts", "resources"})
        if (caps.value(QLatin1String(kind))[QStringLiteral("listChanged")].toBool())
            wanted.insert(QLatin1String(kind) + QStringLiteral("ListChanged"), true);
    if (wanted.isEmpty())
        return;
    m_transport->send(withMeta(jsonrpc::makeRequest(ListenId, QStringLiteral("subscriptions/listen"),
                                                    QJsonObject{{QStringLiteral("notifications"), wanted}})));
}

} // namespace gatehouse
