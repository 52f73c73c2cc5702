// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/HttpServer.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

namespace gatehouse {

class ClientSession;
class PolicyGate;
class StatelessBridge;
class Upstream;
class UpstreamServer;

// MCP Streamable HTTP for clients on /mcp/<server-name>, and /mcp for the default server, in both eras
// at once. Checks Host, Origin and the bearer token on every request. Session era (2025-03-26 to
// 2025-11-25): POST carries one JSON-RPC message, and a request is answered on a Server-Sent Events stream
// that also carries its progress and the server's requests; GET opens the session's stream for everything
// else; DELETE ends the session. Stateless era (2026-07-28), told apart by the body: each POST stands
// alone, is checked against its headers, and goes through the StatelessBridge of its server and grant;
// GET and DELETE get 405.
class McpHttpEndpoint : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        // Who is calling: the grant label for (server, bearer token), "" for an anonymous but accepted
        // caller, or nullopt to refuse with 401.
        std::function<std::optional<QString>(const QString& server, const QByteArray& token)> authenticate;
        // The policy a grant's sessions on a server are decided by.
        std::function<PolicyGate*(const QString& server, const QString& grant)> gateFor;
        QStringList extraOrigins; // besides loopback origins
        int sessionIdleMs = 30 * 60 * 1000;
        int keepAliveMs = 15'000;
    };

    McpHttpEndpoint(HttpServer* server, Options options, QObject* parent = nullptr);
    ~McpHttpEndpoint() override;

    void addServer(UpstreamServer* server, bool isDefault);
    // No longer served: its sessions end (their streams close), and its URL answers 404.
    void removeServer(UpstreamServer* server);
    int sessionCount() const { return int(m_sessions.size()); }

private:
    struct Session
    {
        QString id; // Mcp-Session-Id
        std::unique_ptr<ClientSession> client;
        UpstreamServer* server = nullptr;
        QString grant;
        Upstream* upstream = nullptr;
        QPointer<HttpConnection> stream; // the GET stream
        // The open POST of each client request still unanswered, by its id. Its response head is held
        // back until the first message for it: a lone response goes out as application/json, anything
        // before it (progress, a server request) opens an event stream.
        QHash<QString, QPointer<HttpConnection>> requestStreams;
    };

    void onRequest(HttpConnection* connection, const HttpRequest& request);
    void handlePost(HttpConnection* connection, const HttpRequest& request, UpstreamServer* server,
                    const QString& grant);
    void handleGet(HttpConnection* connection, const HttpRequest& request, UpstreamServer* server,
                   const QString& grant);
    void handleDelete(HttpConnection* connection, const HttpRequest& request, UpstreamServer* server,
                      const QString& grant);
    void handleStateless(HttpConnection* connection, const HttpRequest& request, const QJsonObject& message,
                         UpstreamServer* server, const QString& grant);
    StatelessBridge* bridgeFor(UpstreamServer* server, const QString& grant);
    Session* sessionFor(HttpConnection* connection, const HttpRequest& request, UpstreamServer* server,
                        const QString& grant);
    Session* createSession(UpstreamServer* server, const QString& grant);
    void endSession(const QString& id);
    void route(Session* session, const QJsonObject& message, const QJsonValue& related);
    void sweep();

    bool checkOrigin(const HttpRequest& request) const;
    static bool versionSupported(const QByteArray& header);
    static void refuseVersion(HttpConnection* connection, const QByteArray& header);
    // Every refusal of this endpoint is one JSON-RPC error response as the HTTP body.
    static void respondError(HttpConnection* connection, int status, const QJsonObject& errorResponse,
                             const HttpHeaders& extra = {});
    // One that no request id goes with (the request was not read, or is not one).
    static void fail(HttpConnection* connection, int status, int code, const QString& message,
                     const HttpHeaders& extra = {});
    static void openStream(HttpConnection* connection, const QByteArray& sessionId);
    // A message for one request's POST: a lone response as JSON, anything before it opens an event stream.
    static void answer(HttpConnection* connection, const QByteArray& sessionId, const QJsonObject& message,
                       bool final);
    static void writeEvent(HttpConnection* connection, const QJsonObject& message);

    HttpServer* m_server;
    Options m_options;
    QHash<QString, UpstreamServer*> m_servers;
    UpstreamServer* m_default = nullptr;
    bool m_shuttingDown = false;
    std::unordered_map<QString, std::unique_ptr<Session>> m_sessions;        // by id
    std::unordered_map<QString, std::unique_ptr<StatelessBridge>> m_bridges; // by server and grant
    QTimer m_sweep;
};

} // namespace gatehouse
