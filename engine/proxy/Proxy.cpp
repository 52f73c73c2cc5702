// SPDX-License-Identifier: GPL-3.0-or-later
#include "Proxy.h"

#include "McpHttpEndpoint.h"
#include "PolicyGates.h"
#include "UpstreamServer.h"
#include "approvals/AdminEndpoint.h"
#include "approvals/ApprovalBroker.h"
#include "config/PrivateFiles.h"
#include "counters/InMemoryCounterStore.h"
#include "http/BearerToken.h"
#include "http/HttpServer.h"
#include "pins/ToolPins.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>

namespace gatehouse {

Proxy::Proxy(std::shared_ptr<Config> config, QMap<QString, ServerConfig> servers, AuditLog* audit,
             std::shared_ptr<CounterStore> counters, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_servers(std::move(servers))
    , m_audit(audit)
    , m_broker(std::make_unique<ApprovalBroker>())
    , m_gates(std::make_unique<PolicyGates>(
          counters ? std::move(counters) : std::make_shared<InMemoryCounterStore>(), m_broker.get(), audit))
    , m_http(std::make_unique<HttpServer>())
{
    connect(m_gates.get(), &PolicyGates::gateCreated, this, &Proxy::onGateCreated);
    // "Always allow/deny" at an approval edits the policy that decided the call.
    connect(m_broker.get(), &ApprovalBroker::ruleRequested, this,
            [this](const QString& server, const QString& grant, const QString& tool, ToolAction action) {
                QString why;
                PolicyGate* gate = gateFor(server, grant);
                if (gate->setToolAction(tool, action, &why)) {
                    emit logLine(QStringLiteral("policy now says %1 for %2 (decided at an approval)")
                                     .arg(toolActionName(action), tool));
                    emit ruleWritten(gate->policyFile(), tool, action);
                } else
                    emit logLine(QStringLiteral("cannot write the policy for %1: %2").arg(tool, why));
            });
    // A configuration that appears (first grant, or saved by replacing the file) is read at once.
    connect(&m_configWatch, &QFileSystemWatcher::directoryChanged, this, [this] {
        if (QFileInfo::exists(m_configPath) && !m_configWatch.files().contains(m_configPath))
            reloadConfig();
    });
    connect(&m_configWatch, &QFileSystemWatcher::fileChanged, this, &Proxy::reloadConfig);
}

Proxy::~Proxy()
{
    stop();
}

void Proxy::onGateCreated(PolicyGate* gate)
{
    gate->setPins(m_pins.get());
    gate->setAuditFailure(m_settings.continueWithoutAudit ? PolicyGate::AuditFailure::Continue
                                                          : PolicyGate::AuditFailure::Refuse);
    connect(gate, &PolicyGate::policyRejected, this, [this, gate](const Diagnostics& errors) {
        emit logLine(QStringLiteral("policy %1 is invalid; keeping the last good policy%2")
                         .arg(gate->policyFile(),
                              gate->policy() ? QString() : QStringLiteral(" (none: every call is refused)")));
        for (const Diagnostic& d : errors)
            emit logLine(QStringLiteral("  ") + d.toString());
    });
    connect(gate, &PolicyGate::policyChanged, this,
            [this, gate] { emit logLine(QStringLiteral("policy loaded from %1").arg(gate->policyFile())); });
    connect(gate, &PolicyGate::callDecided, this, &Proxy::callDecided);
    connect(gate, &PolicyGate::callFinished, this, &Proxy::callFinished);
    connect(gate, &PolicyGate::auditFailed, this, &Proxy::logLine);
}

PolicyGate* Proxy::gateFor(const QString& server, const QString& grant) const
{
    const GrantConfig g = m_config->grants.value(grant);
    return m_gates->gate(!grant.isEmpty() && !g.policy.isEmpty() ? g.policy : m_servers.value(server).policy);
}

UpstreamServer* Proxy::upstream(const QString& name) const
{
    for (UpstreamServer* u : m_upstreams)
        if (u->name() == name)
            return u;
    return nullptr;
}

bool Proxy::start(const Settings& settings, QString* error)
{
    m_settings = settings;
    if (!settings.pinsPath.isEmpty()) {
        // Pins that cannot be read stop the proxy: pinning anew would wave every change through.
        m_pins = std::make_unique<ToolPins>(settings.pinsPath);
        if (!m_pins->load(error)) {
            error->prepend(QStringLiteral("tool pins: "));
            m_pins.reset();
            return false;
        }
        connect(m_pins.get(), &ToolPins::logLine, this, &Proxy::logLine);
        for (auto it = m_servers.cbegin(); it != m_servers.cend(); ++it)
            m_pins->setHoldNewTools(it.key(), it->holdNewTools);
    }
    for (PolicyGate* g : m_gates->all()) { // gates asked for before start()
        g->setAuditFailure(settings.continueWithoutAudit ? PolicyGate::AuditFailure::Continue
                                                         : PolicyGate::AuditFailure::Refuse);
        g->setPins(m_pins.get());
    }
    for (auto it = m_servers.cbegin(); it != m_servers.cend(); ++it) {
        if (it->policy.isEmpty())
            emit logLine(
                QStringLiteral("server %1 has no policy: every tools/call is refused with \"(no policy)\"")
                    .arg(it.key()));
        m_gates->gate(it->policy);
    }

    for (auto it = m_servers.cbegin(); it != m_servers.cend(); ++it) {
        UpstreamServer::Target target;
        if (!it->url.isEmpty()) {
            HttpUpstream::Endpoint endpoint;
            endpoint.url = QUrl(it->url, QUrl::StrictMode);
            if (!endpoint.url.isValid() ||
                (endpoint.url.scheme() != u"http" && endpoint.url.scheme() != u"https")) {
                *error =
                    QStringLiteral("the upstream of %1 must be an http:// or https:// URL").arg(it.key());
                return false;
            }
            for (auto h = it->headers.cbegin(); h != it->headers.cend(); ++h)
                endpoint.headers.append({h.key().toLatin1(), h.value().toUtf8()});
            target = endpoint;
        } else if (!it->command.isEmpty()) {
            StdioUpstream::Command c;
            c.program = it->command.first();
            c.arguments = it->command.mid(1);
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            for (auto e = it->env.cbegin(); e != it->env.cend(); ++e)
                env.insert(e.key(), e.value());
            c.environment = env;
            c.workingDirectory = it->cwd;
            target = c;
        } else {
            *error = QStringLiteral("server %1 has neither a command nor a url").arg(it.key());
            return false;
        }
        auto* u = new UpstreamServer(it.key(), target, this);
        u->setRequestTimeoutMs(settings.upstreamTimeoutSeconds * 1000);
        connect(u, &UpstreamServer::logLine, this, &Proxy::logLine);
        m_upstreams.append(u);
    }
    for (UpstreamServer* u : std::as_const(m_upstreams))
        u->start();

    if (!m_http->listen(settings.address, settings.port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(settings.address.toString())
                     .arg(settings.port)
                     .arg(m_http->errorString());
        return false;
    }
    if (settings.serveMcpOverHttp) {
        McpHttpEndpoint::Options options;
        const std::shared_ptr<Config> config = m_config;
        const QByteArray launchToken = settings.launchToken;
        const bool noAuth = settings.noAuth;
        // Who may call: a grant of the server, or the launch token, or anyone with noAuth.
        options.authenticate = [config, launchToken, noAuth](
                                   const QString& server, const QByteArray& token) -> std::optional<QString> {
            if (noAuth)
                return QString();
            const QString grant = config->grantFor(server, token);
            if (!grant.isEmpty())
                return grant;
            if (!launchToken.isEmpty() && constantTimeEquals(token, launchToken))
                return QString();
            return std::nullopt;
        };
        options.gateFor = [this](const QString& server, const QString& grant) {
            return gateFor(server, grant);
        };
        m_endpoint = std::make_unique<McpHttpEndpoint>(m_http.get(), options);
        for (UpstreamServer* u : std::as_const(m_upstreams))
            m_endpoint->addServer(u, u->name() == settings.defaultServer || m_upstreams.size() == 1);
    }
    if (!settings.adminToken.isEmpty())
        m_admin = std::make_unique<AdminEndpoint>(m_http.get(), m_broker.get(), settings.adminToken);
    return true;
}

void Proxy::stop()
{
    m_admin.reset();
    m_endpoint.reset();
    m_http->close();
    for (UpstreamServer* u : std::as_const(m_upstreams))
        u->stop();
}

void Proxy::watchConfig(const QString& path)
{
    m_configPath = QFileInfo(path).absoluteFilePath();
    if (QFileInfo::exists(m_configPath))
        m_configWatch.addPath(m_configPath);
    // The directory too, so that a file made later is noticed; made now if need be.
    privatefiles::ensureFolder(QFileInfo(m_configPath).absolutePath());
    m_configWatch.addPath(QFileInfo(m_configPath).absolutePath());
}

void Proxy::reloadConfig()
{
    Diagnostics errors;
    if (auto fresh = Config::load(m_configPath, &errors)) {
        *m_config = std::move(*fresh);
        emit logLine(QStringLiteral("configuration reloaded: %1 grants").arg(m_config->grants.size()));
        emit configChanged();
    } else {
        emit logLine(
            QStringLiteral("configuration %1 is invalid; keeping the last good one").arg(m_configPath));
    }
    if (QFileInfo::exists(m_configPath))
        m_configWatch.addPath(m_configPath);
}

QString Proxy::baseUrl() const
{
    const QHostAddress a = m_settings.address;
    return QStringLiteral("http://%1:%2")
        .arg(a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]").arg(a.toString())
                                                           : a.toString())
        .arg(m_http->port());
}

QString Proxy::mcpUrl(const QString& server) const
{
    return baseUrl() + QStringLiteral("/mcp/") + server;
}

} // namespace gatehouse
