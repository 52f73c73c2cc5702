// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "UpstreamTransport.h"
#include "mcp/InputRounds.h"

#include <QHash>
#include <QTimer>
#include <functional>
#include <memory>

namespace gatehouse {

// The one place where Gatehouse's two protocol eras meet an upstream server. The proxy speaks the
// session era inside (initialize, requests from the server to the client); a server may speak it too, or
// only the stateless era of MCP 2026-07-28, or be a 2024-11-05 HTTP+SSE server. This adapter wraps the
// transport that reaches the server (stdio or HTTP), finds out which, and translates when it must:
//
// - negotiation, at the first initialize: Prefer::Session sends it as it is, and an answer with one of
//   the stateless era's own errors (-32020…-32022) means "ask server/discover instead";
//   Prefer::Stateless sends server/discover first and falls back to initialize on any error, as the
//   2026-07-28 versioning rules ask of a client that speaks both. An initialize refused with HTTP 400,
//   404 or 405 switches to the legacy transport, when there is one (the 2025-03-26 backwards-
//   compatibility rule);
// - in the stateless era: initialize is answered from server/discover; every request carries the era's
//   _meta (the session's capabilities and client identity); the handshake and roots notifications are
//   dropped; an input-required result becomes requests to the session (related to the call) whose
//   answers are sent back in a retry of the same call; list changes come from a subscriptions/listen
//   request and lose the era's subscription id.
// In the session era everything passes through untouched.
class EraAdapter final : public UpstreamTransport
{
    Q_OBJECT
public:
    enum class Prefer
    {
        Session,  // a server shared by session-era clients (a stdio child), or one session-era client
        Stateless // serving stateless clients: their era, when the server speaks it
    };
    enum class Era
    {
        Unknown,
        Session,
        Stateless
    };
    using Fallback = std::function<std::unique_ptr<UpstreamTransport>()>;

    EraAdapter(std::unique_ptr<UpstreamTransport> transport, Prefer prefer, Fallback legacy = {},
               QObject* parent = nullptr);
    ~EraAdapter() override;

    void start() override;
    void stop() override;
    bool isReady() const override;
    void send(const QJsonObject& message) override;
    bool isShared() const override;
    QString describe() const override;
    Era era() const { return m_era; }

private:
    enum class Probe
    {
        None,
        Initialize,
        Discover,
        DiscoverThenInitialize // Prefer::Stateless: initialize when discovery fails
    };

    void adopt(std::unique_ptr<UpstreamTransport> transport);
    void onMessage(const QJsonObject& message, const QJsonValue& related);
    void negotiate(const QJsonObject& initialize);
    void discover(Probe probe);
    void onProbeAnswer(const QJsonObject& response);
    void becomeStateless(const QJsonObject& discovered);
    void forgetCalls();

    // The stateless era.
    void sendStateless(const QJsonObject& message);
    void receiveStateless(const QJsonObject& message, const QJsonValue& related);
    void onClientAnswer(const QJsonObject& response);
    void retry(const QString& call);
    void listen();
    QJsonObject withMeta(const QJsonObject& request) const;

    std::unique_ptr<UpstreamTransport> m_transport;
    Prefer m_prefer;
    Fallback m_legacy;
    Era m_era = Era::Unknown;
    Probe m_probe = Probe::None;
    bool m_switching = false; // replacing the transport by the legacy one: its ready() is ours to hide
    QJsonObject m_initialize; // the session's initialize being answered
    QJsonObject m_discovered; // the server's server/discover result
    QHash<QString, QJsonObject> m_calls;  // the session's requests in flight, by idKey (stateless era)
    QHash<QString, QJsonValue> m_retryOf; // idKey of a retry → the call's id
    QHash<QString, QJsonValue> m_wireId;  // idKey of a call → the id it now has upstream (a retry's)
    InputRounds m_input;
    qint64 m_nextRetry = 1;
    QTimer m_relisten;
    int m_listenFailures = 0;
};

} // namespace gatehouse
