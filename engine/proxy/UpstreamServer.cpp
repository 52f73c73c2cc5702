// SPDX-License-Identifier: GPL-3.0-or-later
#include "UpstreamServer.h"

#include "Upstream.h"

namespace gatehouse {

UpstreamServer::UpstreamServer(QString name, Target target, QObject* parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_target(std::move(target))
{}

UpstreamServer::~UpstreamServer()
{
    stop();
}

QString UpstreamServer::describe() const
{
    if (const auto* command = std::get_if<StdioUpstream::Command>(&m_target))
        return (QStringList{command->program} + command->arguments).join(u' ');
    return std::get<HttpUpstream::Endpoint>(m_target).url.toString();
}

Upstream* UpstreamServer::make()
{
    std::unique_ptr<UpstreamTransport> transport;
    if (const auto* command = std::get_if<StdioUpstream::Command>(&m_target))
        transport = std::make_unique<StdioUpstream>(*command);
    else
        transport = std::make_unique<HttpUpstream>(std::get<HttpUpstream::Endpoint>(m_target));
    auto* upstream = new Upstream(m_name, std::move(transport), this);
    upstream->setAddress(describe());
    upstream->setRequestTimeoutMs(m_timeoutMs);
    connect(upstream, &Upstream::logLine, this, &UpstreamServer::logLine);
    upstream->start();
    return upstream;
}

void UpstreamServer::start()
{
    // A stdio server starts with the proxy, so its first client does not wait for it.
    if (std::holds_alternative<StdioUpstream::Command>(m_target) && !m_shared)
        m_shared = make();
}

void UpstreamServer::stop()
{
    for (Upstream* u : std::as_const(m_perSession))
        delete u;
    m_perSession.clear();
    delete m_shared;
    m_shared = nullptr;
}

Upstream* UpstreamServer::acquire()
{
    if (std::holds_alternative<StdioUpstream::Command>(m_target)) {
        start();
        return m_shared;
    }
    Upstream* u = make();
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
