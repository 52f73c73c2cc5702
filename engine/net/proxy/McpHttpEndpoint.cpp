// SPDX-License-Identifier: GPL-3.0-or-later
#include "McpHttpEndpoint.h"

#include "ClientSession.h"
#include "PolicyGate.h"
#include "StatelessBridge.h"
#include "StatelessRequest.h"
#include "Upstream.h"
#include "UpstreamServer.h"
#include "http/BearerToken.h"
#include "mcp/JsonRpc.h"
#include "mcp/ProtocolVersions.h"
#include "mcp/StatelessEra.h"

#include <QUrl>

namespace gatehouse {

namespace {

const QByteArray SessionHeader = "mcp-session-id";
const QByteArray VersionHeader = "mcp-protocol-version";

bool accepts(const QByteArray& accept, const QByteArray& type)
{
    const QByteArray lower = accept.toLower();
    return lower.contains(type) || lower.contains("*/*");
}

} // namespace

McpHttpEndpoint::McpHttpEndpoint(HttpServer* server, Options options, QObject* parent)
    : QObject(parent)
    , m_server(server)
    , m_options(std::move(options))
{
    server->route("/mcp", [this](HttpConnection* c, const HttpRequest& r) { onRequest(c, r); });
    m_sweep.setInterval(m_options.keepAliveMs);
    connect(&m_sweep, &QTimer::timeout, this, &McpHttpEndpoint::sweep);
    m_sweep.start();
}

McpHttpEndpoint::~McpHttpEndpoint()
{
    m_shuttingDown = true; // not the clients' doing: their approvals stay for after a restart
    while (!m_sessions.empty())
        endSession(m_sessions.begin()->first);
    m_bridges.clear();
}

void McpHttpEndpoint::addServer(UpstreamServer* server, bool isDefault)
{
    m_servers.insert(server->name(), server);
    if (isDefault || !m_default)
        m_default = server;
}

void McpHttpEndpoint::removeServer(UpstreamServer* server)
{
    QStringList ids;
    for (const auto& [id, s] : m_sessions)
        if (s->server == server)
            ids << id;
    for (const QString& id : std::as_const(ids))
        endSession(id);
    std::erase_if(m_bridges, [&](const auto& b) { return b.first.startsWith(server->name() + u'\n'); });
    m_servers.remove(server->name());
    // /mcp then names one server only if one is left: it never quietly becomes another's.
    if (m_default == server)
        m_default = m_servers.size() == 1 ? m_servers.cbegin().value() : nullptr;
}

bool McpHttpEndpoint::versionSupported(const QByteArray& header)
{
    return header.isEmpty() || header == mcp::statelessVersion().toLatin1() ||
           mcp::sessionEraVersions().contains(QString::fromLatin1(header));
}

void McpHttpEndpoint::refuseVersion(HttpConnection* connection, const QByteArray& header)
{
    fail(connection, 400, -32000,
         QStringLiteral("Bad Request: unsupported MCP-Protocol-Version %1 (supported: %2)")
             .arg(QString::fromLatin1(header), mcp::versionsNewestFirst().join(QStringLiteral(", "))));
}

void McpHttpEndpoint::respondError(HttpConnection* connection, int status, const QJsonObject& errorResponse,
                                   const HttpHeaders& extra)
{
    HttpHeaders headers = extra;
    headers.add("Content-Type", "application/json");
    connection->respond(status, headers, jsonrpc::encode(errorResponse));
}

void McpHttpEndpoint::fail(HttpConnection* connection, int status, int code, const QString& message,
                           const HttpHeaders& extra)
{
    respondError(connection, status, jsonrpc::makeError(QJsonValue(QJsonValue::Null), code, message), extra);
}

bool McpHttpEndpoint::checkOrigin(const HttpRequest& request) const
{
    if (request.headerCount("origin") == 0)
        return true; // not a browser
    const QString origin = QString::fromLatin1(request.header("origin"));
    if (m_options.extraOrigins.contains(origin))
        return true;
    const QUrl url(origin);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https"))
        return false; // "null" and anything odd
    return HttpServer::isLoopbackName(url.host());
}

void McpHttpEndpoint::onRequest(HttpConnection* connection, const HttpRequest& request)
{
    UpstreamServer* server = nullptr;
    if (request.path == "/mcp" || request.path == "/mcp/") {
        server = m_default;
    } else if (request.path.startsWith("/mcp/")) {
        server = m_servers.value(QUrl::fromPercentEncoding(request.path.mid(5)));
    }
    if (request.header("host").isEmpty())
        return fail(connection, 400, -32000, QStringLiteral("Bad Request: HTTP/1.1 needs a Host header"));
    if (!m_server->isOwnHost(request))
        return fail(connection, 403, -32000,
                    QStringLiteral("Forbidden: Host header does not name this server"));
    if (!checkOrigin(request))
        return fail(connection, 403, -32000, QStringLiteral("Forbidden: Origin not allowed"));
    // No token, or one that is not a grant of this server: 401, and nothing of the request is logged.
    const std::optional<QString> grant =
        m_options.authenticate(server ? server->name() : QString(), bearerToken(request));
    if (!grant)
        return fail(connection, 401, -32000, QStringLiteral("Unauthorized: a valid bearer token is required"),
                    HttpHeaders().add("WWW-Authenticate", "Bearer realm=\"gatehouse\""));
    if (!server)
        return fail(connection, 404, -32000,
                    QStringLiteral("Not Found: no MCP server at %1").arg(QString::fromUtf8(request.path)));

    if (server->state() == UpstreamServer::State::Stopped)
        return fail(connection, 503, -32000,
                    QStringLiteral("Service Unavailable: %1 was stopped in Gatehouse; start it there")
                        .arg(server->name()));

    const QByteArray version = request.header(VersionHeader);
    const bool statelessEra = version == mcp::statelessVersion().toLatin1();
    // A POST's body says which era it is in; a stateless one gets the era's own answer (-32022).
    if (request.method != "POST" && !versionSupported(version))
        return refuseVersion(connection, version);

    if (request.method == "POST")
        return handlePost(connection, request, server, *grant);
    // A stateless client has no session to stream or end.
    if (statelessEra && (request.method == "GET" || request.method == "DELETE"))
        return fail(connection, 405, -32000,
                    QStringLiteral("Method Not Allowed: MCP %1 uses POST only").arg(mcp::statelessVersion()),
                    HttpHeaders().add("Allow", "POST"));
    if (request.method == "GET")
        return handleGet(connection, request, server, *grant);
    if (request.method == "DELETE")
        return handleDelete(connection, request, server, *grant);
    fail(connection, 405, -32000, QStringLiteral("Method Not Allowed"),
         HttpHeaders().add("Allow", "GET, POST, DELETE"));
}

McpHttpEndpoint::Session* McpHttpEndpoint::sessionFor(HttpConnection* connection, const HttpRequest& request,
                                                      UpstreamServer* server, const QString& grant)
{
    const QByteArray id = request.header(SessionHeader);
    if (id.isEmpty()) {
        fail(connection, 400, -32000, QStringLiteral("Bad Request: Mcp-Session-Id header is required"));
        return nullptr;
    }
    const auto found = m_sessions.find(QString::fromLatin1(id));
    Session* s = found == m_sessions.end() ? nullptr : found->second.get();
    // A session belongs to one server and one grant: another grant's token does not open it.
    if (!s || s->server != server || s->grant != grant) {
        fail(connection, 404, -32001, QStringLiteral("Session not found"));
        return nullptr;
    }
    return s;
}

void McpHttpEndpoint::handlePost(HttpConnection* connection, const HttpRequest& request,
                                 UpstreamServer* server, const QString& grant)
{
    const QByteArray accept = request.header("accept");
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream"))
        return fail(
            connection, 406, -32000,
            QStringLiteral("Not Acceptable: Accept must list application/json and text/event-stream"));
    if (!request.header("content-type").toLower().startsWith("application/json"))
        return fail(connection, 415, -32000,
                    QStringLiteral("Unsupported Media Type: Content-Type must be application/json"));

    const jsonrpc::Message m = jsonrpc::parse(request.body);
    if (m.kind == jsonrpc::Kind::Invalid)
        return fail(connection, 400, m.errorCode, m.error);

    if (m.kind != jsonrpc::Kind::Response && isStatelessMessage(m.object, request))
        return handleStateless(connection, request, m.object, server, grant);
    if (!versionSupported(request.header(VersionHeader)))
        return refuseVersion(connection, request.header(VersionHeader));

    Session* session = nullptr;
    if (m.kind == jsonrpc::Kind::Request && m.method() == u"initialize") {
        if (!request.header(SessionHeader).isEmpty())
            return fail(connection, 400, jsonrpc::InvalidRequest,
                        QStringLiteral(
                            "Bad Request: initialize starts a new session; send it without Mcp-Session-Id"));
        session = createSession(server, grant);
    } else {
        session = sessionFor(connection, request, server, grant);
        if (!session)
            return;
    }

    if (m.kind != jsonrpc::Kind::Request) {
        session->client->receive(m.object);
        connection->respond(202, {}, {});
        return;
    }
    const QString key = jsonrpc::idKey(m.id());
    if (session->client->hasInFlight(m.id()))
        return fail(connection, 409, jsonrpc::InvalidRequest, QStringLiteral("request id already in flight"));
    session->requestStreams.insert(key, connection);
    const QString sessionId = session->id;
    const QJsonValue requestId = m.id();
    // Cleared when the request is answered: nothing per request outlives it on a keep-alive connection.
    connection->setAbandonHandler([this, sessionId, key, requestId, closed = QPointer(connection)] {
        const auto found = m_sessions.find(sessionId);
        Session* s = found == m_sessions.end() ? nullptr : found->second.get();
        if (!s || s->requestStreams.value(key) != closed)
            return; // answered already, or the session is gone
        s->requestStreams.remove(key);
        s->client->connectionLost(requestId);
    });
    session->client->receive(m.object);
}

void McpHttpEndpoint::handleStateless(HttpConnection* connection, const HttpRequest& request,
                                      const QJsonObject& message, UpstreamServer* server,
                                      const QString& grant)
{
    const QJsonValue id =
        message.contains(QStringLiteral("id")) ? message.value(QStringLiteral("id")) : QJsonValue();
    auto refuse = [&](const StatelessRefusal& refused) {
        QJsonObject body = jsonrpc::makeError(id, refused.code, refused.message);
        if (!refused.data.isEmpty()) {
            QJsonObject error = body.value(QStringLiteral("error")).toObject();
            error.insert(QStringLiteral("data"), refused.data);
            body.insert(QStringLiteral("error"), error);
        }
        respondError(connection, refused.status, body);
    };
    if (const std::optional<StatelessRefusal> refused = checkStatelessRequest(message, request))
        return refuse(*refused);
    if (!message.contains(QStringLiteral("id"))) {
        // Nothing a stateless client notifies needs passing on: a closed stream is its cancellation.
        connection->respond(202, {}, {});
        return;
    }
    const QString method = message.value(QStringLiteral("method")).toString();
    if (isRemovedInStatelessEra(method)) {
        return respondError(connection, 404,
                            jsonrpc::makeError(id, jsonrpc::MethodNotFound,
                                               QStringLiteral("Method not found: %1 is not part of MCP %2")
                                                   .arg(method, mcp::statelessVersion())));
    }
    StatelessBridge* bridge = bridgeFor(server, grant);
    if (const std::optional<StatelessRefusal> refused =
            checkParamHeaders(message, request, bridge->paramHeaders()))
        return refuse(*refused);
    QPointer<HttpConnection> stream(connection);
    // Set before the bridge sees the request, which may answer at once (and so clear it again).
    auto handle = std::make_shared<QString>();
    connection->setAbandonHandler([owner = QPointer<StatelessBridge>(bridge), handle] {
        if (owner)
            owner->cancel(*handle);
    });
    *handle = bridge->handle(message, [stream](const QJsonObject& out, bool final) {
        if (!stream)
            return;
        // As its only answer, a method nobody implements is 404 in this era, and the era's own refusals
        // (a capability the client did not declare, say) are 400.
        const int code = out.value(QStringLiteral("error"))[QStringLiteral("code")].toInt();
        if (final && !stream->isStreaming() &&
            (code == jsonrpc::MethodNotFound || stateless::isEraError(code))) {
            return respondError(stream, code == jsonrpc::MethodNotFound ? 404 : 400, out);
        }
        answer(stream, QByteArray(), out, final); // no session in this era
    });
}

StatelessBridge* McpHttpEndpoint::bridgeFor(UpstreamServer* server, const QString& grant)
{
    const QString key = server->name() + u'\n' + grant;
    auto& bridge = m_bridges[key];
    if (!bridge)
        bridge.reset(new StatelessBridge(server, grant, m_options.gateFor(server->name(), grant)));
    return bridge.get();
}

void McpHttpEndpoint::handleGet(HttpConnection* connection, const HttpRequest& request,
                                UpstreamServer* server, const QString& grant)
{
    if (!accepts(request.header("accept"), "text/event-stream"))
        return fail(connection, 406, -32000,
                    QStringLiteral("Not Acceptable: Accept must list text/event-stream"));
    Session* session = sessionFor(connection, request, server, grant);
    if (!session)
        return;
    if (session->stream)
        return fail(connection, 409, -32000,
                    QStringLiteral("Conflict: this session already has an open stream"));
    openStream(connection, request.header(SessionHeader));
    session->stream = connection;
}

void McpHttpEndpoint::handleDelete(HttpConnection* connection, const HttpRequest& request,
                                   UpstreamServer* server, const QString& grant)
{
    if (!sessionFor(connection, request, server, grant))
        return;
    endSession(QString::fromLatin1(request.header(SessionHeader)));
    connection->respond(200, {}, {});
}

McpHttpEndpoint::Session* McpHttpEndpoint::createSession(UpstreamServer* server, const QString& grant)
{
    auto session = std::make_unique<Session>();
    session->id = QString::fromLatin1(randomBytes(16).toHex());
    session->server = server;
    session->grant = grant;
    session->upstream = server->acquire();
    session->client.reset(
        new ClientSession(session->id, grant, session->upstream, m_options.gateFor(server->name(), grant)));
    Session* s = session.get();
    connect(s->client.get(), &ClientSession::outgoing, this,
            [this, s](const QJsonObject& message, const QJsonValue& related) { route(s, message, related); });
    return m_sessions.emplace(s->id, std::move(session)).first->second.get();
}

void McpHttpEndpoint::endSession(const QString& id)
{
    auto found = m_sessions.find(id);
    if (found == m_sessions.end())
        return;
    const std::unique_ptr<Session> s = std::move(found->second);
    m_sessions.erase(found);
    s->client->close(m_shuttingDown);
    s->server->release(s->upstream);
    if (s->stream)
        s->stream->endStream();
    for (const auto& c : std::as_const(s->requestStreams))
        if (c)
            c->endStream();
}

void McpHttpEndpoint::openStream(HttpConnection* connection, const QByteArray& sessionId)
{
    HttpHeaders headers =
        HttpHeaders().add("Content-Type", "text/event-stream").add("Cache-Control", "no-cache");
    if (!sessionId.isEmpty()) // a stateless request's stream belongs to no session
        headers.add("Mcp-Session-Id", sessionId);
    connection->beginStream(200, headers);
}

void McpHttpEndpoint::writeEvent(HttpConnection* connection, const QJsonObject& message)
{
    connection->writeChunk("event: message\ndata: " + jsonrpc::encode(message) + "\n\n");
}

void McpHttpEndpoint::answer(HttpConnection* connection, const QByteArray& sessionId,
                             const QJsonObject& message, bool final)
{
    if (!connection->isStreaming()) {
        if (final) {
            HttpHeaders headers = HttpHeaders().add("Content-Type", "application/json");
            if (!sessionId.isEmpty())
                headers.add("Mcp-Session-Id", sessionId);
            connection->respond(200, headers, jsonrpc::encode(message));
            return;
        }
        openStream(connection, sessionId);
    }
    writeEvent(connection, message);
    if (final)
        connection->endStream();
}

void McpHttpEndpoint::route(Session* session, const QJsonObject& message, const QJsonValue& related)
{
    const bool isResponse = !message.contains(QStringLiteral("method"));
    if (!related.isUndefined()) {
        const QString key = jsonrpc::idKey(related);
        const auto it = session->requestStreams.find(key);
        if (it != session->requestStreams.end()) {
            QPointer<HttpConnection> connection = it.value();
            const bool final = isResponse && jsonrpc::idKey(message.value(QStringLiteral("id"))) == key;
            if (final)
                session->requestStreams.erase(it);
            if (connection) {
                answer(connection, session->id.toLatin1(), message, final);
                return;
            }
            if (final)
                return; // its client went away; a response has nowhere else to go
        }
        if (isResponse)
            return;
    }
    if (session->stream)
        writeEvent(session->stream, message);
}

void McpHttpEndpoint::sweep()
{
    QStringList expired;
    for (const auto& [id, session] : m_sessions) {
        Session* s = session.get();
        // Comments keep proxies and clients from timing the stream out, and reveal dead peers.
        if (s->stream)
            s->stream->writeChunk(": keep-alive\n\n");
        for (auto r = s->requestStreams.begin(); r != s->requestStreams.end();)
            r = r.value().isNull() ? s->requestStreams.erase(r) : std::next(r);
        if (!s->stream && s->client->idleMs() > m_options.sessionIdleMs)
            expired.append(id);
    }
    for (const QString& id : expired)
        endSession(id);
    std::erase_if(m_bridges, [this](const auto& b) { return b.second->idleMs() > m_options.sessionIdleMs; });
}

} // namespace gatehouse
