// SPDX-License-Identifier: GPL-3.0-or-later
#include "UpstreamServer.h"

#include "SseUpstream.h"
#include "StreamableHttpUpstream.h"
#include "Upstream.h"

#include <QDateTime>

namespace gatehouse {

UpstreamServer::UpstreamServer(QString name, Target target, QObject* parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_target(std::move(target))
{
    connect(this, &UpstreamServer::logLine, this, &UpstreamServer::remember);
}

UpstreamServer::~UpstreamServer()
{
    stop();
    qDeleteAll(m_perSession);
    delete m_shared;
}

QString UpstreamServer::describe() const
{
    if (const auto* command = std::get_if<StdioUpstream::Command>(&m_target))
        return (QStringList{command->program} + command->arguments).join(u' ');
    return std::get<HttpTarget>(m_target).url.toString();
}

bool UpstreamServer::isStdio() const
{
    return std::holds_alternative<StdioUpstream::Command>(m_target);
}

void UpstreamServer::setState(State state, const QString& error)
{
    if (!error.isEmpty())
        m_lastError = error;
    if (state == m_state && error.isEmpty())
        return;
    m_state = state;
    emit stateChanged();
}

void UpstreamServer::remember(const QString& line)
{
    m_log.append(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss ")) + line);
    if (m_log.size() > RecentLogLines)
        m_log.removeFirst();
}

Upstream* UpstreamServer::make(EraAdapter::Prefer prefer)
{
    std::unique_ptr<UpstreamTransport> transport;
    if (const auto* command = std::get_if<StdioUpstream::Command>(&m_target)) {
        transport = std::make_unique<EraAdapter>(std::make_unique<StdioUpstream>(*command),
                                                 EraAdapter::Prefer::Session);
    } else {
        const HttpTarget& target = std::get<HttpTarget>(m_target);
        transport = std::make_unique<EraAdapter>(std::make_unique<StreamableHttpUpstream>(target), prefer,
                                                 [target] { return std::make_unique<SseUpstream>(target); });
    }
    auto* upstream = new Upstream(m_name, std::move(transport), this);
    upstream->setAddress(describe());
    upstream->setRequestTimeoutMs(m_timeoutMs);
    connect(upstream, &Upstream::logLine, this, &UpstreamServer::logLine);
    if (isStdio()) {
        connect(&upstream->transport(), &UpstreamTransport::ready, this,
                [this] { setState(State::Running); });
        connect(&upstream->transport(), &UpstreamTransport::lost, this,
                [this](const QString& reason) { setState(State::Exited, reason); });
    } else {
        connect(&upstream->transport(), &UpstreamTransport::lost, this,
                [this](const QString& reason) { setState(State::Running, reason); });
    }
    upstream->start();
    return upstream;
}

void UpstreamServer::start()
{
    if (!isStdio()) {
        if (m_state == State::Stopped)
            for (Upstream* u : std::as_const(m_perSession))
                u->start();
        setState(State::Running);
        return;
    }
    // A stdio server starts with the proxy, so its first client does not wait for it. The same
    // Upstream is started again after a stop, so the sessions attached to it carry on.
    if (m_state == State::Running || m_state == State::Starting)
        return;
    setState(State::Starting);
    if (m_shared)
        m_shared->start();
    else
        m_shared = make(EraAdapter::Prefer::Session);
}

void UpstreamServer::stop()
{
    // The upstreams stay (sessions and the app's own clients hold them); they refuse calls until started.
    const QString why = QStringLiteral("%1 was stopped").arg(m_name);
    for (Upstream* u : std::as_const(m_perSession))
        u->stop(why);
    if (m_shared)
        m_shared->stop(why);
    setState(State::Stopped);
}

void UpstreamServer::restart()
{
    stop();
    start();
}

Upstream* UpstreamServer::acquire(EraAdapter::Prefer prefer)
{
    if (isStdio()) {
        if (!m_shared) {
            m_shared = make(EraAdapter::Prefer::Session);
            setState(State::Starting);
        }
        return m_shared;
    }
    Upstream* u = make(prefer);
    m_perSession.insert(u);
    return u;
}

void UpstreamServer::release(Upstream* upstream)
{
    if (upstream == m_shared || !m_perSession.remove(upstream))
        return;
    upstream->stop();
    upstream->deleteLater();
}

} // namespace gatehouse
