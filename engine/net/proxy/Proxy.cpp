// SPDX-License-Identifier: GPL-3.0-or-later
#include "Proxy.h"

#include "McpHttpEndpoint.h"
#include "PolicyGates.h"
#include "UpstreamServer.h"
#include "approvals/AdminEndpoint.h"
#include "approvals/ApprovalBroker.h"
#include "approvals/ApprovalPage.h"
#include "approvals/ApprovalReceipts.h"
#include "approvals/ApprovalWebhook.h"
#include "base/PrivateFiles.h"
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
    , m_page(std::make_unique<ApprovalPage>(m_broker.get()))
    , m_webhook(std::make_unique<ApprovalWebhook>(m_broker.get()))
    , m_gateContext(std::make_shared<GateContext>(GateContext{
          counters ? std::move(counters) : std::make_shared<InMemoryCounterStore>(), m_broker.get(), audit}))
    , m_gates(std::make_unique<PolicyGates>(m_gateContext))
    , m_http(std::make_unique<HttpServer>())
{
    m_gateContext->page = m_page.get();
    connect(m_gates.get(), &PolicyGates::gateCreated, this, &Proxy::onGateCreated);
    m_webhook->setPage(m_page.get());
    if (m_audit)
        m_receipts = std::make_unique<ApprovalReceipts>(m_broker.get(), m_audit);
    connect(m_webhook.get(), &ApprovalWebhook::failed, this, &Proxy::logLine);
    // "Always allow/deny" at an approval edits the policy that decided the call, through the file's
    // one writer.
    connect(m_broker.get(), &ApprovalBroker::ruleRequested, this,
            [this](const QString& server, const QString& grant, const QString& tool, ToolAction action) {
                QString why;
                PolicyGate* gate = gateFor(server, grant);
                const bool written = m_ruleWriter ? m_ruleWriter(gate, tool, action, &why)
                                                  : gate->setToolAction(tool, action, &why);
                if (written)
                    emit logLine(QStringLiteral("policy now says %1 for %2 (decided at an approval)")
                                     .arg(toolActionName(action), tool));
                else
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
    m_gateContext->pins = nullptr; // they go before the gates that read them
}

void Proxy::onGateCreated(PolicyGate* gate)
{
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
    if (!grant.isEmpty() && !g.policy.isEmpty())
        return m_gates->gate(g.policy);
    return m_gates->gate(m_servers.value(server).policy, server);
}

UpstreamServer* Proxy::upstream(const QString& name) const
{
    for (UpstreamServer* u : m_upstreams)
        if (u->name() == name)
            return u;
    return nullptr;
}

UpstreamServer* Proxy::makeUpstream(const QString& name, const ServerConfig& server, QString* error)
{
    UpstreamServer::Target target;
    if (!server.url.isEmpty()) {
        HttpTarget endpoint;
        endpoint.url = QUrl(server.url, QUrl::StrictMode);
        if (!endpoint.url.isValid() ||
            (endpoint.url.scheme() != u"http" && endpoint.url.scheme() != u"https")) {
            *error = QStringLiteral("the upstream of %1 must be an http:// or https:// URL").arg(name);
            return nullptr;
        }
        for (auto h = server.headers.cbegin(); h != server.headers.cend(); ++h)
            endpoint.headers.append({h.key().toLatin1(), h.value().toUtf8()});
        target = endpoint;
    } else if (!server.command.isEmpty()) {
        StdioUpstream::Command c;
        c.program = server.command.first();
        c.arguments = server.command.mid(1);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (auto e = server.env.cbegin(); e != server.env.cend(); ++e)
            env.insert(e.key(), e.value());
        c.environment = env;
        c.workingDirectory = server.cwd;
        target = c;
    } else {
        *error = QStringLiteral("server %1 has neither a command nor a url").arg(name);
        return nullptr;
    }
    auto* u = new UpstreamServer(name, target, this);
    u->setRequestTimeoutMs(m_settings.upstreamTimeoutSeconds * 1000);
    connect(u, &UpstreamServer::logLine, this, &Proxy::logLine);
    return u;
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
    // Settled before anything is served; gates asked for before start() see it too.
    m_gateContext->pins = m_pins.get();
    m_gateContext->auditFailure = settings.continueWithoutAudit ? GateContext::AuditFailure::Continue
                                                                : GateContext::AuditFailure::Refuse;
    for (auto it = m_servers.cbegin(); it != m_servers.cend(); ++it) {
        if (it->policy.isEmpty())
            emit logLine(
                QStringLiteral("server %1 has no policy: every tools/call is refused with \"(no policy)\"")
                    .arg(it.key()));
        m_gates->gate(it->policy, it.key());
    }
    if (settings.followConfigServers) {
        for (auto it = m_servers.cbegin(); it != m_servers.cend(); ++it)
            if (m_config->servers.contains(it.key()))
                m_configured.insert(it.key());
        m_configuredAsWritten = m_config->servers;
    }

    for (auto it = m_servers.cbegin(); it != m_servers.cend(); ++it) {
        UpstreamServer* u = makeUpstream(it.key(), *it, error);
        if (!u)
            return false;
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
    if (!servePages(settings, error))
        return false;
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
    if (!settings.approvalsPath.isEmpty()) {
        // Fail closed, not out: without its file a call that needs a person is refused, and says why.
        QString why;
        if (m_broker->open(settings.approvalsPath, &why))
            emit logLine(QStringLiteral("approvals: %1 (%2 pending from before)")
                             .arg(settings.approvalsPath)
                             .arg(m_broker->pendingCount()));
        else
            emit logLine(QStringLiteral("APPROVALS UNAVAILABLE: ") + why);
    }
    if (!settings.adminToken.isEmpty())
        m_admin =
            std::make_unique<AdminEndpoint>(m_http.get(), m_broker.get(), m_page.get(), settings.adminToken);
    m_started = true;
    return true;
}

// Approval pages on the proxy's own listener and, with --approvals-listen, on one of their own (their
// links then point there).
bool Proxy::servePages(const Settings& settings, QString* error)
{
    m_page->serveOn(m_http.get());
    m_page->setBase(loopbackUrl(settings.address, m_http->port()));
    if (!settings.approvalsAddress.isNull()) {
        m_pageHttp = std::make_unique<HttpServer>();
        if (!m_pageHttp->listen(settings.approvalsAddress, settings.approvalsPort)) {
            *error = QStringLiteral("cannot listen on %1:%2 for approval pages: %3")
                         .arg(settings.approvalsAddress.toString())
                         .arg(settings.approvalsPort)
                         .arg(m_pageHttp->errorString());
            m_http->close();
            return false;
        }
        m_page->serveOn(m_pageHttp.get());
        m_page->setBase(loopbackUrl(settings.approvalsAddress, m_pageHttp->port()));
        emit logLine(QStringLiteral("approval pages also on %1 (links point there)")
                         .arg(loopbackUrl(settings.approvalsAddress, m_pageHttp->port())));
    }
    return true;
}

bool Proxy::addServer(const QString& name, ServerConfig server, QString* error)
{
    if (!Config::isValidServerName(name)) {
        *error = Config::serverNameRule();
        return false;
    }
    if (m_servers.contains(name)) {
        *error = QStringLiteral("a server named %1 is served already").arg(name);
        return false;
    }
    if (m_prepare && !m_prepare(name, server, error))
        return false;
    UpstreamServer* u = makeUpstream(name, server, error);
    if (!u)
        return false;
    m_servers.insert(name, server);
    if (m_pins)
        m_pins->setHoldNewTools(name, server.holdNewTools);
    m_gates->gate(server.policy, name);
    m_upstreams.append(u);
    if (m_started) {
        u->start();
        if (m_endpoint)
            m_endpoint->addServer(u, name == m_settings.defaultServer || m_upstreams.size() == 1);
    }
    emit logLine(QStringLiteral("serving %1 (%2) at %3").arg(name, u->describe(), mcpUrl(name)));
    emit serverAdded(name);
    return true;
}

void Proxy::removeServer(const QString& name)
{
    UpstreamServer* u = upstream(name);
    if (!u)
        return;
    if (m_endpoint)
        m_endpoint->removeServer(u); // its sessions end: their pending approvals are settled
    m_upstreams.removeOne(u);
    m_servers.remove(name);
    m_configured.remove(name);
    emit serverRemoved(name); // the app lets go of it now, before it is deleted
    u->stop();
    u->deleteLater();
    emit logLine(QStringLiteral("no longer serving %1").arg(name));
}

bool Proxy::replaceServer(const QString& name, ServerConfig server, QString* error)
{
    // The new one must be able to run before the old one goes (a secret missing, a bad URL).
    ServerConfig ready = server;
    if (m_prepare && !m_prepare(name, ready, error))
        return false;
    if (!std::unique_ptr<UpstreamServer>(makeUpstream(name, ready, error)))
        return false;
    const bool configured = m_configured.contains(name);
    removeServer(name);
    if (!addServer(name, std::move(server), error))
        return false;
    if (configured)
        m_configured.insert(name);
    return true;
}

void Proxy::givePolicy(const QString& name, const QString& policyFile)
{
    if (!m_servers.contains(name) || policyFile.isEmpty())
        return;
    const QString old = m_servers.value(name).policy;
    const QString fresh = QFileInfo(policyFile).absoluteFilePath();
    if (!old.isEmpty() && QFileInfo(old).absoluteFilePath() == fresh)
        return;
    bool shared = false;
    for (auto it = m_servers.cbegin(); it != m_servers.cend(); ++it)
        shared = shared || (it.key() != name && !old.isEmpty() && it->policy == old);
    for (const GrantConfig& g : std::as_const(m_config->grants))
        shared = shared || (!old.isEmpty() && g.policy == old);
    m_servers[name].policy = fresh;
    m_gates->movePolicy(name, old, fresh, shared);
    emit serverChanged(name);
}

void Proxy::applyConfigServers(const QMap<QString, ServerConfig>& fresh)
{
    QStringList added, changed, removed;
    const QSet<QString> before = m_configured;
    for (const QString& name : before) {
        if (!fresh.contains(name)) {
            removeServer(name);
            removed << name;
        }
    }
    for (auto it = fresh.cbegin(); it != fresh.cend(); ++it) {
        const QString& name = it.key();
        QString why;
        if (m_configured.contains(name)) {
            const ServerConfig old = m_configuredAsWritten.value(name);
            if (old == *it)
                continue;
            ServerConfig oldWithout = old, freshWithout = *it;
            oldWithout.policy.clear();
            freshWithout.policy.clear();
            if (oldWithout == freshWithout && !it->policy.isEmpty()) {
                givePolicy(name, it->policy); // only its policy file: nothing to restart
                changed << name;
            } else if (replaceServer(name, *it, &why)) {
                changed << name;
            } else {
                emit logLine(
                    QStringLiteral("server %1 from the configuration is not served: %2").arg(name, why));
                emit serverRefused(name, why);
            }
        } else if (m_servers.contains(name)) {
            emit logLine(
                QStringLiteral("server %1 is in the configuration and on the command line; the command "
                               "line's is served")
                    .arg(name));
        } else if (m_configuredAsWritten.contains(name) && m_configuredAsWritten.value(name) == *it) {
            continue; // there at the last read and not served (the app runs a command of its own)
        } else if (addServer(name, *it, &why)) {
            m_configured.insert(name);
            added << name;
        } else {
            emit logLine(QStringLiteral("server %1 from the configuration is not served: %2").arg(name, why));
            emit serverRefused(name, why);
        }
    }
    m_configuredAsWritten = fresh;
    if (!added.isEmpty() || !changed.isEmpty() || !removed.isEmpty())
        emit logLine(
            QStringLiteral("servers from the configuration: added %1; changed %2; removed %3")
                .arg(added.isEmpty() ? QStringLiteral("none") : added.join(QStringLiteral(", ")),
                     changed.isEmpty() ? QStringLiteral("none") : changed.join(QStringLiteral(", ")),
                     removed.isEmpty() ? QStringLiteral("none") : removed.join(QStringLiteral(", "))));
}

void Proxy::stop()
{
    m_admin.reset();
    m_endpoint.reset();
    m_http->close();
    if (m_pageHttp)
        m_pageHttp->close();
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
        emit logLine(QStringLiteral("configuration reloaded: %1 servers, %2 grants")
                         .arg(m_config->servers.size())
                         .arg(m_config->grants.size()));
        if (m_settings.followConfigServers && m_started)
            applyConfigServers(m_config->servers);
        emit configChanged();
    } else {
        emit logLine(QStringLiteral("configuration %1 is invalid; keeping the last good one: %2")
                         .arg(m_configPath, errors.value(0).toString()));
    }
    if (QFileInfo::exists(m_configPath))
        m_configWatch.addPath(m_configPath);
}

QString Proxy::baseUrl() const
{
    return urlOf(m_settings.address, m_http->port());
}

QString Proxy::urlOf(const QHostAddress& a, quint16 port)
{
    return QStringLiteral("http://%1:%2")
        .arg(a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]").arg(a.toString())
                                                           : a.toString())
        .arg(port);
}

// A URL to reach a listener at: "any address" is reached on loopback.
QString Proxy::loopbackUrl(const QHostAddress& address, quint16 port)
{
    QHostAddress a = address;
    if (a == QHostAddress::Any || a == QHostAddress::AnyIPv4)
        a = QHostAddress(QHostAddress::LocalHost);
    else if (a == QHostAddress::AnyIPv6)
        a = QHostAddress(QHostAddress::LocalHostIPv6);
    return urlOf(a, port);
}

QString Proxy::mcpUrl(const QString& server) const
{
    return baseUrl() + QStringLiteral("/mcp/") + server;
}

} // namespace gatehouse
