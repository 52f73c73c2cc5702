// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CallRecord.h"
#include "config/Config.h"
#include "policy/Policy.h"

#include <QFileSystemWatcher>
#include <QHostAddress>
#include <QObject>
#include <memory>

namespace gatehouse {

class AdminEndpoint;
class ApprovalBroker;
class AuditLog;
class CounterStore;
class HttpServer;
class McpHttpEndpoint;
class PolicyGate;
class PolicyGates;
class ToolPins;
class UpstreamServer;

// The running proxy, as the command line and the app both run it: the upstream servers, the policy
// gates that decide their calls, the approval broker, the MCP endpoint on HTTP and the admin API.
// The audit log is the caller's: it is opened (and must be) before anything is served.
class Proxy : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QHostAddress address{QHostAddress::LocalHost};
        quint16 port = 8731;
        bool serveMcpOverHttp = true; // false: HTTP carries only the admin API
        QString defaultServer;        // served at /mcp as well as /mcp/NAME
        QByteArray launchToken;       // accepted besides grant tokens; empty: grants only
        bool noAuth = false;
        int upstreamTimeoutSeconds = 120;
        QByteArray adminToken;             // empty: no admin API
        bool continueWithoutAudit = false; // when the audit log fails: refuse calls (false) or carry on
        QString pinsPath;                  // tool pins (ToolPins); empty: no pinning
    };

    // counters: where rate-limit counts live; null keeps them in this process's memory.
    Proxy(std::shared_ptr<Config> config, QMap<QString, ServerConfig> servers, AuditLog* audit,
          std::shared_ptr<CounterStore> counters = {}, QObject* parent = nullptr);
    ~Proxy() override;

    // Starts the upstreams and listens. False, with the reason, when a server is misconfigured or the
    // address is taken.
    bool start(const Settings& settings, QString* error);
    void stop();
    // Reloads the configuration (grants) whenever the file changes; the last good one stays otherwise.
    void watchConfig(const QString& path);

    QString baseUrl() const;                     // http://127.0.0.1:8731
    QString mcpUrl(const QString& server) const; // …/mcp/NAME
    QList<UpstreamServer*> upstreams() const { return m_upstreams; }
    UpstreamServer* upstream(const QString& name) const;
    const QMap<QString, ServerConfig>& servers() const { return m_servers; }
    const Config& config() const { return *m_config; }
    const Settings& settings() const { return m_settings; }
    ApprovalBroker* broker() const { return m_broker.get(); }
    PolicyGates* gates() const { return m_gates.get(); }
    AuditLog* audit() const { return m_audit; }
    ToolPins* pins() const { return m_pins.get(); }
    // The policy a grant's calls on a server are decided by: the grant's own, else the server's.
    PolicyGate* gateFor(const QString& server, const QString& grant) const;

signals:
    void logLine(const QString& line);
    // From every gate, for monitors.
    void callDecided(const gatehouse::CallRecord& record);
    void callFinished(const gatehouse::CallRecord& record);
    void configChanged();
    // "Always allow/deny" at an approval was written into this policy file (and the gate uses it).
    void ruleWritten(const QString& policyFile, const QString& tool, gatehouse::ToolAction action);

private:
    void onGateCreated(PolicyGate* gate);
    void reloadConfig();

    std::shared_ptr<Config> m_config;
    QMap<QString, ServerConfig> m_servers;
    AuditLog* m_audit;
    Settings m_settings;
    std::unique_ptr<ApprovalBroker> m_broker;
    std::unique_ptr<PolicyGates> m_gates;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<McpHttpEndpoint> m_endpoint;
    std::unique_ptr<AdminEndpoint> m_admin;
    std::unique_ptr<ToolPins> m_pins;
    QList<UpstreamServer*> m_upstreams;
    QFileSystemWatcher m_configWatch;
    QString m_configPath;
};

} // namespace gatehouse
