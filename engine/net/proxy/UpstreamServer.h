// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "EraAdapter.h"
#include "HttpTarget.h"
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
    using Target = std::variant<StdioUpstream::Command, HttpTarget>;

    UpstreamServer(QString name, Target target, QObject* parent = nullptr);
    ~UpstreamServer() override;

    const QString& name() const { return m_name; }
    QString describe() const;
    bool isStdio() const;
    void setRequestTimeoutMs(int ms) { m_timeoutMs = ms; }

    enum class State
    {
        Starting, // a stdio child is being started (or restarted after it exited)
        Running,  // the child runs; for HTTP, the server is served (each session reaches it itself)
        Exited,   // the child exited or could not start: lastError() says why; it is retried
        Stopped   // stopped by a person: clients are told so until it is started again
    };
    State state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    // The last lines it logged (its stderr among them), oldest first.
    QStringList recentLog() const { return m_log; }
    static constexpr int RecentLogLines = 300;

    void start();
    void stop();
    void restart();
    // The Upstream a new client session talks through; give it back with release() when the session ends.
    // A stdio child is shared, so it speaks the session era first whatever the caller prefers; an HTTP
    // server is reached in the era `prefer` names when it speaks it.
    Upstream* acquire(EraAdapter::Prefer prefer = EraAdapter::Prefer::Session);
    void release(Upstream* upstream);

signals:
    void logLine(const QString& line);
    void stateChanged();

private:
    Upstream* make(EraAdapter::Prefer prefer);
    void setState(State state, const QString& error = {});
    void remember(const QString& line);

    QString m_name;
    Target m_target;
    int m_timeoutMs = 120'000;
    Upstream* m_shared = nullptr;
    QSet<Upstream*> m_perSession;
    State m_state = State::Stopped;
    QString m_lastError;
    QStringList m_log;
};

} // namespace gatehouse
