// SPDX-License-Identifier: GPL-3.0-or-later
// A real redis-server for tests: on 127.0.0.1, a free port, no persistence, stopped with the test.
#pragma once

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

class RedisServer
{
public:
    RedisServer() = default;
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;
    ~RedisServer() { stop(); }

    static QString executable() { return QStandardPaths::findExecutable(QStringLiteral("redis-server")); }

    // Starts on `port`, or on a free one when 0; false (see log()) when it does not come up in 10 s.
    bool start(quint16 port = 0)
    {
        if (executable().isEmpty()) {
            m_log = "redis-server is not installed (scripts/install-deps.sh installs it)";
            return false;
        }
        if (port == 0) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return false;
            port = probe.serverPort();
        }
        m_port = port;
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(executable(),
                        {QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--port"),
                         QString::number(port), QStringLiteral("--save"), QString(),
                         QStringLiteral("--appendonly"), QStringLiteral("no"),
                         QStringLiteral("--protected-mode"), QStringLiteral("yes")});
        if (!m_process.waitForStarted(5000))
            return false;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 10'000) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, port);
            if (s.waitForConnected(200))
                return true;
            if (m_process.state() != QProcess::Running)
                break;
            QThread::msleep(50);
        }
        m_log = m_process.readAll();
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished(5000);
    }

    quint16 port() const { return m_port; }
    QString url(int db = 0) const { return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(db); }
    QByteArray log() { return m_log + m_process.readAll(); }

private:
    QProcess m_process;
    quint16 m_port = 0;
    QByteArray m_log;
};
