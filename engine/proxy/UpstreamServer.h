// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpUpstream.h"
#include "StdioUpstream.h"

#include <QObject>
#include <QSet>
#include <memory>
#include <variant>

namespace gatehouse {

class Upstream;

// A configured upstream MCP server, by name, and how client sessions reach it: a stdio child is one
// process that every session shares (its Upstream multiplexes them); an HTTP server gets one upstream
// session per client session, so initialize and everything after it pass through as they are.
class UpstreamServer : public QObject
{
    Q_OBJECT
public:
    using Target = std::variant<StdioUpstream::Command, HttpUpstream::Endpoint>;

    UpstreamServer(QString name, Target target, QObject* parent = nullptr);
    ~UpstreamServer() override;

    const QString& name() const { return m_name; }
    QString describe() const;
    void setRequestTimeoutMs(int ms) { m_timeoutMs = ms; }

    void start();
    void stop();
    // The Upstream a new client session talks through; give it back with release() when the session ends.
    Upstream* acquire();
    void release(Upstream* upstream);

signals:
    void logLine(const QString& line);

private:
    Upstream* make();

    QString m_name;
    Target m_target;
    int m_timeoutMs = 120'000;
    Upstream* m_shared = nullptr;
    QSet<Upstream*> m_perSession;
};

} // namespace gatehouse
