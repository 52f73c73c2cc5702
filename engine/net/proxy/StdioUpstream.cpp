// SPDX-License-Identifier: GPL-3.0-or-later
#include "StdioUpstream.h"

#include "mcp/JsonRpc.h"

#include <QElapsedTimer>

namespace gatehouse {

namespace {
constexpr int MaxBackoffMs = 30'000;
constexpr int StableAfterMs = 60'000;
} // namespace

StdioUpstream::StdioUpstream(Command command, QObject* parent)
    : UpstreamTransport(parent)
    , m_command(std::move(command))
{
    m_restart.setSingleShot(true);
    connect(&m_restart, &QTimer::timeout, this, &StdioUpstream::start);
}

StdioUpstream::~StdioUpstream()
{
    // Going away for good (the proxy shuts down, the server is removed): every child, the running one
    // and those still ending, is seen to its end the MCP way before we go.
    m_stopping = true;
    m_restart.stop();
    if (QProcess* p = std::exchange(m_process, nullptr)) {
        p->disconnect(this);
        endNow(p);
    }
    for (const QPointer<QProcess>& p : std::exchange(m_ending, {}))
        if (p)
            endNow(p);
}

QString StdioUpstream::describe() const
{
    return (QStringList{m_command.program} + m_command.arguments).join(u' ');
}

bool StdioUpstream::isReady() const
{
    return m_process && m_process->state() == QProcess::Running;
}

void StdioUpstream::start()
{
    m_stopping = false;
    if (m_process)
        return;
    // A restart: the new child starts once the old one has gone (it may hold a lock, a port, a profile).
    m_ending.removeIf([](const QPointer<QProcess>& p) { return p.isNull(); });
    if (!m_ending.isEmpty()) {
        if (!m_waitingForEnd) {
            m_waitingForEnd = true;
            connect(m_ending.last(), &QObject::destroyed, this, [this] {
                m_waitingForEnd = false;
                if (!m_stopping)
                    start();
            });
        }
        return;
    }
    m_process = new QProcess(this);
    m_process->setProgram(m_command.program);
    m_process->setArguments(m_command.arguments);
    m_process->setProcessEnvironment(m_command.environment);
    if (!m_command.workingDirectory.isEmpty())
        m_process->setWorkingDirectory(m_command.workingDirectory);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &StdioUpstream::onStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &StdioUpstream::onStderr);
    connect(m_process, &QProcess::finished, this, &StdioUpstream::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &StdioUpstream::onErrorOccurred);
    connect(m_process, &QProcess::started, this, [this] {
        m_upSince.start();
        emit logLine(
            QStringLiteral("upstream started: %1 (pid %2)").arg(describe()).arg(m_process->processId()));
        emit ready();
    });
    m_stdout.clear();
    m_stderr.clear();
    m_process->start();
}

void StdioUpstream::stop()
{
    m_stopping = true;
    m_restart.stop();
    QProcess* p = std::exchange(m_process, nullptr);
    if (!p)
        return;
    p->disconnect(this);
    if (p->state() == QProcess::NotRunning) {
        delete p;
        return;
    }
    // Stopped by a person (or restarted): ended in the background, so that nobody, the window or the
    // proxy's other calls, waits for a slow server to go. The MCP way: stdin closed, then SIGTERM after
    // 2 s, then SIGKILL after 2 s more. If we go first, our destructor sees it to its end.
    m_ending.append(p);
    connect(p, &QProcess::finished, p, &QObject::deleteLater);
    connect(p, &QProcess::errorOccurred, p, [p](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            p->deleteLater();
    });
    p->closeWriteChannel();
    QTimer::singleShot(GraceMs, p, [p] { p->terminate(); });
    QTimer::singleShot(2 * GraceMs, p, [p] { p->kill(); });
}

void StdioUpstream::endNow(QProcess* p)
{
    if (p->state() != QProcess::NotRunning) {
        p->closeWriteChannel();
        if (!p->waitForFinished(GraceMs)) {
            p->terminate();
            if (!p->waitForFinished(GraceMs)) {
                p->kill();
                p->waitForFinished(1000);
            }
        }
    }
    delete p;
}

void StdioUpstream::send(const QJsonObject& message)
{
    if (!isReady())
        return;
    m_process->write(jsonrpc::encode(message) + '\n');
}

void StdioUpstream::onStdout()
{
    m_stdout += m_process->readAllStandardOutput();
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_stdout.indexOf('\n', start);
        if (nl < 0)
            break;
        const QByteArray line = m_stdout.mid(start, nl - start).trimmed();
        start = nl + 1;
        if (line.isEmpty())
            continue;
        const jsonrpc::Message m = jsonrpc::parse(line);
        if (m.kind == jsonrpc::Kind::Invalid) {
            emit logLine(QStringLiteral("upstream sent an invalid message (%1): %2")
                             .arg(m.error, QString::fromUtf8(line.left(200))));
            continue;
        }
        emit messageReceived(m.object);
        if (!m_process)
            return; // a handler stopped us
    }
    m_stdout.remove(0, start);
    if (m_stdout.size() > MaxLineBytes) {
        emit logLine(QStringLiteral("upstream wrote a line over %1 bytes; restarting it").arg(MaxLineBytes));
        m_process->kill();
    }
}

void StdioUpstream::onStderr()
{
    m_stderr += m_process->readAllStandardError();
    qsizetype nl;
    while ((nl = m_stderr.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_stderr.left(nl)).trimmed();
        m_stderr.remove(0, nl + 1);
        if (!line.isEmpty())
            emit logLine(QStringLiteral("upstream: ") + line);
    }
    if (m_stderr.size() > 64 * 1024) {
        emit logLine(QStringLiteral("upstream: ") + QString::fromUtf8(m_stderr));
        m_stderr.clear();
    }
}

void StdioUpstream::onFinished(int exitCode, QProcess::ExitStatus status)
{
    const QString reason = status == QProcess::CrashExit
                               ? QStringLiteral("upstream crashed")
                               : QStringLiteral("upstream exited with code %1").arg(exitCode);
    scheduleRestart(reason);
}

void StdioUpstream::onErrorOccurred(QProcess::ProcessError error)
{
    if (error == QProcess::FailedToStart)
        scheduleRestart(
            QStringLiteral("cannot start upstream %1: %2").arg(m_command.program, m_process->errorString()));
}

void StdioUpstream::scheduleRestart(const QString& reason)
{
    if (!m_process)
        return;
    m_process->deleteLater();
    m_process->disconnect(this);
    m_process = nullptr;
    emit lost(reason);
    if (m_stopping)
        return;
    if (m_upSince.isValid() && m_upSince.elapsed() > StableAfterMs)
        m_backoffMs = 500;
    emit logLine(QStringLiteral("%1; restarting in %2 ms").arg(reason).arg(m_backoffMs));
    m_restart.start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, MaxBackoffMs);
}

} // namespace gatehouse
