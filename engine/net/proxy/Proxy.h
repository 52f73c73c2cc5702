// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Config.h"
#include "decision/CallRecord.h"
#include "policy/Policy.h"

#include <QFileSystemWatcher>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <functional>
#include <memory>

namespace gatehouse {

class AdminEndpoint;
class ApprovalBroker;
class ApprovalPage;
class ApprovalReceipts;
class ApprovalWebhook;
class AuditLog;
class CounterStore;
struct GateContext;
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
        QString approvalsPath; // approvals that outlive requests and restarts; empty: this run's memory
        // Approval pages on an address of their own (--approvals-listen), e.g. for a phone on the same
        // network; their links then point there. Null address: only on the proxy's own listener.
        QHostAddress approvalsAddress;
        quint16 approvalsPort = 0;
        // The configuration's servers are served as it changes (added, changed, removed): true where
        // the served set is the configuration's (the app always; `serve` without a command of its own).
        bool followConfigServers = false;
    };
    // Gets a server ready to run before it is added: fills in its secrets (from the keychain) and,
    // in the app, the policy file it has by default. False, with the reason, to refuse it.
    using ServerPreparer = std::function<bool(const QString& name, ServerConfig& server, QString* error)>;
    void setServerPreparer(ServerPreparer preparer) { m_prepare = std::move(preparer); }

    // counters: where rate-limit counts live; null keeps them in this process's memory.
    Proxy(std::shared_ptr<Config> config, QMap<QString, ServerConfig> servers, AuditLog* audit,
          std::shared_ptr<CounterStore> counters = {}, QObject* parent = nullptr);
    ~Proxy() override;

    // Starts the upstreams and listens. False, with the reason, when a server is misconfigured or the
    // address is taken.
    bool start(const Settings& settings, QString* error);
    void stop();
    // Reloads the configuration (grants, and servers with followConfigServers) whenever the file
    // changes; the last good one stays otherwise.
    void watchConfig(const QString& path);
    // Reads the watched configuration now (after the app wrote it), instead of after the watcher.
    void reloadConfig();

    // The running set of servers, changed while serving; other servers and their clients are left
    // alone. False, with the reason, when the name is taken or unsafe, or the server is misconfigured.
    bool addServer(const QString& name, ServerConfig server, QString* error);
    void removeServer(const QString& name);
    bool replaceServer(const QString& name, ServerConfig server, QString* error);
    // A server that had no policy file gets one (the gate its sessions use follows it).
    void givePolicy(const QString& name, const QString& policyFile);
    // Whether a server is the configuration's (followed as it changes) or from the command line.
    bool isConfigured(const QString& name) const { return m_configured.contains(name); }

    QString baseUrl() const;                     // http://127.0.0.1:8731
    QString mcpUrl(const QString& server) const; // …/mcp/NAME
    QList<UpstreamServer*> upstreams() const { return m_upstreams; }
    UpstreamServer* upstream(const QString& name) const;
    const QMap<QString, ServerConfig>& servers() const { return m_servers; }
    const Config& config() const { return *m_config; }
    const Settings& settings() const { return m_settings; }
    ApprovalBroker* broker() const { return m_broker.get(); }
    // Each approval's page, and its link.
    const ApprovalPage* approvalPage() const { return m_page.get(); }
    PolicyGates* gates() const { return m_gates.get(); }
    // Who writes "always allow / always deny" from an approval into the policy that decided the call.
    // Headless the proxy does (PolicyGate::setToolAction: nothing else writes the file); the app passes
    // its own, so that the policy editor's document stays the file's one writer and the rule is one
    // more undoable edit. False and why when it cannot be written (the call itself is still allowed).
    using RuleWriter =
        std::function<bool(PolicyGate* gate, const QString& tool, ToolAction action, QString* why)>;
    void setRuleWriter(RuleWriter writer) { m_ruleWriter = std::move(writer); }
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
    void serverAdded(const QString& name);
    void serverRemoved(const QString& name); // its UpstreamServer is deleted later
    void serverChanged(const QString& name); // its policy file changed
    // In the configuration, but cannot be served (the old one, if any, keeps running).
    void serverRefused(const QString& name, const QString& why);

private:
    static QString urlOf(const QHostAddress& address, quint16 port);
    static QString loopbackUrl(const QHostAddress& address, quint16 port);
    bool servePages(const Settings& settings, QString* error);
    void onGateCreated(PolicyGate* gate);
    UpstreamServer* makeUpstream(const QString& name, const ServerConfig& server, QString* error);
    void applyConfigServers(const QMap<QString, ServerConfig>& configured);

    std::shared_ptr<Config> m_config;
    QMap<QString, ServerConfig> m_servers;
    AuditLog* m_audit;
    Settings m_settings;
    std::unique_ptr<ApprovalBroker> m_broker;
    std::unique_ptr<ApprovalPage> m_page;         // one link per approval, to answer it from a browser
    std::unique_ptr<ApprovalWebhook> m_webhook;   // tells approval.webhook of each approval
    std::unique_ptr<ApprovalReceipts> m_receipts; // each approval's request and decision, in the audit chain
    std::shared_ptr<GateContext> m_gateContext;   // shared with every gate; settled in start()
    std::unique_ptr<PolicyGates> m_gates;
    RuleWriter m_ruleWriter;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<McpHttpEndpoint> m_endpoint;
    std::unique_ptr<AdminEndpoint> m_admin;
    std::unique_ptr<HttpServer> m_pageHttp; // --approvals-listen: approval pages only
    std::unique_ptr<ToolPins> m_pins;
    QList<UpstreamServer*> m_upstreams;
    QFileSystemWatcher m_configWatch;
    QString m_configPath;
    QSet<QString> m_configured;
    QMap<QString, ServerConfig> m_configuredAsWritten; // before preparing: to tell what changed
    ServerPreparer m_prepare;
    bool m_started = false;
};

} // namespace gatehouse
