// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "UpstreamTransport.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTimer>

namespace gatehouse {

// An MCP server run as a child process speaking newline-delimited JSON-RPC on stdin/stdout. Its stderr
// goes to the log line by line. If it exits unexpectedly it is started again after a back-off that
// doubles from half a second up to 30 s, and resets once the child has stayed up for a minute.
class StdioUpstream final : public UpstreamTransport
{
    Q_OBJECT
public:
    struct Command
    {
        QString program;
        QStringList arguments;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        QString workingDirectory;
    };

    explicit StdioUpstream(Command command, QObject* parent = nullptr);
    ~StdioUpstream() override;

    void start() override;
    void stop() override;
    bool isReady() const override;
    void send(const QJsonObject& message) override;
    bool isShared() const override { return true; }
    QString describe() const override;

    // How long a server has to exit after its stdin closes, and again after SIGTERM.
    static constexpr int GraceMs = 2000;
    // Largest stdout line accepted from the server before it is treated as broken.
    static constexpr qsizetype MaxLineBytes = 64 * 1024 * 1024;

private:
    void onStdout();
    void onStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onErrorOccurred(QProcess::ProcessError error);
    void scheduleRestart(const QString& reason);
    static void endNow(QProcess* p); // closes stdin, terminates, kills: waits up to 5 s

    Command m_command;
    QProcess* m_process = nullptr;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QTimer m_restart;
    QElapsedTimer m_upSince;
    int m_backoffMs = 500;
    bool m_stopping = false;
    QList<QPointer<QProcess>> m_ending; // stopped, still being ended in the background (our children)
    bool m_waitingForEnd = false;       // a start waits for the last of them to go
};

} // namespace gatehouse
