// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/HttpServer.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

namespace gatehouse {

class ClientSession;
class PolicyGate;
class Upstream;
class UpstreamServer;

// MCP Streamable HTTP for clients (session era, protocol 2025-03-26 to 2025-11-25) on
// /mcp/<server-name>, and /mcp for the default server. Checks Host, Origin and the bearer token on
// every request; POST carries one JSON-RPC message, and a request is answered on a Server-Sent Events
// stream that also carries its progress and the server's requests; GET opens the session's stream for
// everything else; DELETE ends the session.
class McpHttpEndpoint : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QByteArray token; // required bearer token; empty with noAuth
        bool noAuth = false;
        QStringList extraOrigins; // besides loopback origins
        int sessionIdleMs = 30 * 60 * 1000;
        int keepAliveMs = 15'000;
    };

    McpHttpEndpoint(HttpServer* server, PolicyGate* gate, Options options, QObject* parent = nullptr);
    ~McpHttpEndpoint() override;

    void addServer(UpstreamServer* server, bool isDefault);
    int sessionCount() const { return int(m_sessions.size()); }

    static const QStringList& supportedProtocolVersions();

private:
    struct Session
    {
        ClientSession* client = nullptr;
        UpstreamServer* server = nullptr;
        Upstream* upstream = nullptr;
        QPointer<HttpConnection> stream; // the GET stream
        // The open POST of each client request still unanswered, by its id. Its response head is held
        // back until the first message for it: a lone response goes out as application/json, anything
        // before it (progress, a server request) opens an event stream.
        QHash<QString, QPointer<HttpConnection>> requestStreams;
    };

    void onRequest(HttpConnection* connection, const HttpRequest& request);
    void handlePost(HttpConnection* connection, const HttpRequest& request, UpstreamServer* server);
    void handleGet(HttpConnection* connection, const HttpRequest& request);
    void handleDelete(HttpConnection* connection, const HttpRequest& request);
    Session* sessionFor(HttpConnection* connection, const HttpRequest& request);
    Session* createSession(UpstreamServer* server);
    void endSession(const QString& id);
    void route(Session* session, const QJsonObject& message, const QJsonValue& related);
    void sweep();

    bool checkOrigin(const HttpRequest& request) const;
    bool checkToken(const HttpRequest& request) const;
    static void fail(HttpConnection* connection, int status, int code, const QString& message,
                     const HttpHeaders& extra = {});
    static void openStream(HttpConnection* connection, const QByteArray& sessionId);
    void answer(Session* session, HttpConnection* connection, const QJsonObject& message, bool final);
    static void writeEvent(HttpConnection* connection, const QJsonObject& message);

    HttpServer* m_server;
    PolicyGate* m_gate;
    Options m_options;
    QHash<QString, UpstreamServer*> m_servers;
    UpstreamServer* m_default = nullptr;
    QHash<QString, Session*> m_sessions;
    QTimer m_sweep;
};

} // namespace gatehouse
