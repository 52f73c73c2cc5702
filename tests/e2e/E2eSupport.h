// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the end-to-end tests: real processes (gatehouse, server-everything) on 127.0.0.1.
#pragma once

#include "../support/RateWindow.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

namespace e2e {

inline const QString E2eDir = QStringLiteral(GATEHOUSE_E2E_DIR);
// Node 22 from the pinned npm package `node`: the inspector and supergateway need it.
inline const QString Node = QStringLiteral(GATEHOUSE_E2E_DIR "/node_modules/.bin/node");
inline const QString Gatehouse = QStringLiteral(GATEHOUSE_BINARY);

// Runs an MCP conformance suite (`script`, its entry point) against `url` with `extra` arguments and
// returns scenario -> passed (some check passed, none failed), from its summary lines
// ("✓ name: 1 passed, 0 failed" / "✗ name: 0 passed, 1 failed").
inline QMap<QString, bool> runConformance(const QString& script, const QString& url, const QStringList& extra,
                                          QString* transcript)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(Node, QStringList{script, QStringLiteral("server"), QStringLiteral("--url"), url} + extra);
    if (!p.waitForFinished(600'000))
        p.kill();
    const QString out = QString::fromUtf8(p.readAll());
    if (transcript)
        *transcript = out;
    QMap<QString, bool> results;
    static const QRegularExpression line(QStringLiteral("^(\\S+) ([\\w/-]+): (\\d+) passed, (\\d+) failed$"),
                                         QRegularExpression::MultilineOption);
    auto it = line.globalMatch(out);
    while (it.hasNext()) {
        const auto m = it.next();
        results.insert(m.captured(2), m.captured(3).toInt() > 0 && m.captured(4).toInt() == 0);
    }
    return results;
}

inline QString everything()
{
    return E2eDir + QStringLiteral("/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
}
inline QString policy()
{
    return E2eDir + QStringLiteral("/policy-e2e.json");
}

// Every gatehouse this test starts keeps its default data (audit log, tool pins) in a folder of the
// test's own, never in the user's: set before main() runs, inherited by every child process.
inline const bool PrivateDataHome = [] {
    static QTemporaryDir home;
    if (!qEnvironmentVariableIsSet("GATEHOUSE_TEST_KEYCHAIN")) // that wrapper made a private home already
        qputenv("XDG_DATA_HOME", home.path().toUtf8());
    return true;
}();

// A fresh path in a folder private to this test process (audit logs, admin files).
inline QString scratch(const QString& name)
{
    static QTemporaryDir dir;
    static int n = 0;
    return dir.filePath(QStringLiteral("%1-%2").arg(++n).arg(name));
}

// Options every proxy a test starts gets, so that concurrent proxies never share a file.
inline QStringList isolated(const QStringList& options = {})
{
    QStringList out = options;
    if (!options.contains(QStringLiteral("--audit")))
        out << QStringLiteral("--audit") << scratch(QStringLiteral("audit.sqlite"));
    if (!options.contains(QStringLiteral("--admin-file")))
        out << QStringLiteral("--admin-file") << scratch(QStringLiteral("admin.json"));
    if (!options.contains(QStringLiteral("--pins")) && !options.contains(QStringLiteral("--no-pins")))
        out << QStringLiteral("--pins") << scratch(QStringLiteral("pins.json"));
    return out;
}

inline QStringList stdioUpstream()
{
    return {QStringLiteral("--"), Node, everything(), QStringLiteral("stdio")};
}

// A Node.js server of the tests on a free port of 127.0.0.1, given to it as PORT: server-everything over
// HTTP, or one of this folder's scripts. Scripts of ours stop when their stdin closes; anything still
// running when the test ends is killed.
class NodeServer
{
public:
    NodeServer() = default;
    NodeServer(const NodeServer&) = delete;
    NodeServer& operator=(const NodeServer&) = delete;
    ~NodeServer()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(m_graceMs))
            m_process.kill();
        m_process.waitForFinished(5000);
    }

    bool start(const QStringList& arguments, const QList<QPair<QString, QString>>& environment = {},
               int graceMs = 3000)
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return false;
        m_port = probe.serverPort();
        probe.close();
        m_graceMs = graceMs;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PORT"), QString::number(m_port));
        for (const auto& [name, value] : environment)
            env.insert(name, value);
        m_process.setProcessEnvironment(env);
        m_process.setWorkingDirectory(E2eDir);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(Node, arguments);
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20'000 && m_process.state() != QProcess::NotRunning) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, m_port);
            if (s.waitForConnected(200))
                return true;
            QTest::qWait(100);
        }
        return false;
    }
    QString url(const char* path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QLatin1String(path));
    }
    quint16 port() const { return m_port; }
    // What it printed (stdout and stderr), read so far.
    QByteArray output() { return m_output += m_process.readAll(); }

private:
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
    int m_graceMs = 3000;
};

// server-everything as an HTTP server ("streamableHttp" or the legacy "sse"), bound to 127.0.0.1.
class EverythingServer : public NodeServer
{
public:
    bool start(const QString& transport)
    {
        return NodeServer::start({QStringLiteral("--require"), E2eDir + QStringLiteral("/bind-loopback.cjs"),
                                  everything(), transport},
                                 {}, 0);
    }
};

// `gatehouse serve` over HTTP in front of an upstream server.
class ProxyProcess
{
public:
    // `upstream` is "--upstream URL" or "-- COMMAND ARGS..."; the default is server-everything over stdio.
    bool start(const QStringList& upstream = stdioUpstream(), const QStringList& options = {},
               const QString& policyFile = policy())
    {
        m_policyFile = policyFile;
        m_process.setProgram(Gatehouse);
        m_process.setArguments(QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                                           QStringLiteral("127.0.0.1:0"), QStringLiteral("--policy"),
                                           policyFile} +
                               (options.contains(QStringLiteral("--no-auth"))
                                    ? QStringList()
                                    : QStringList{QStringLiteral("--token"), token()}) +
                               isolated(options) + upstream);
        QObject::connect(&m_process, &QProcess::readyReadStandardError,
                         [this] { m_log += m_process.readAllStandardError(); });
        m_process.start();
        static const QRegularExpression listening(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)/mcp"));
        return waitForLog(listening, 20'000, &m_port);
    }
    // For the proxy and, through it, a stdio upstream it starts.
    void setEnvironmentValue(const QString& name, const QString& value)
    {
        QProcessEnvironment env = m_process.processEnvironment().isEmpty()
                                      ? QProcessEnvironment::systemEnvironment()
                                      : m_process.processEnvironment();
        env.insert(name, value);
        m_process.setProcessEnvironment(env);
    }
    ~ProxyProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            m_process.waitForFinished(5000);
        }
    }
    bool waitForLog(const QRegularExpression& re, int ms, quint16* capture = nullptr, int occurrences = 1)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            auto it = re.globalMatch(QString::fromUtf8(m_log));
            int n = 0;
            QRegularExpressionMatch last;
            while (it.hasNext()) {
                last = it.next();
                ++n;
            }
            if (n >= occurrences) {
                if (capture)
                    *capture = quint16(last.captured(1).toUInt());
                return true;
            }
            if (m_process.state() == QProcess::NotRunning && m_process.bytesAvailable() == 0 &&
                t.elapsed() > 200)
                return false; // it has said all it will
            QTest::qWait(50);
        }
        return false;
    }
    QString policyFile() const { return m_policyFile; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/mcp").arg(m_port); }
    quint16 port() const { return m_port; }
    static QString token() { return QStringLiteral("e2e-secret-token"); }
    QString log() const { return QString::fromUtf8(m_log); }
    QProcess& process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_log;
    QString m_policyFile;
    quint16 m_port = 0;
};

struct RawResponse
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// A hand-written HTTP request, for the cases no well-behaved client would send.
inline RawResponse rawHttp(quint16 port, const QByteArray& request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    RawResponse r;
    if (!socket.waitForConnected(5000))
        return r;
    socket.write(request);
    QByteArray data;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10'000) {
        if (!socket.waitForReadyRead(500) && socket.state() != QAbstractSocket::ConnectedState)
            break;
        data += socket.readAll();
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QRegularExpression length(QStringLiteral("(?i)content-length: (\\d+)"));
            const auto m = length.match(QString::fromLatin1(data.left(end)));
            if (m.hasMatch() && data.size() >= end + 4 + m.captured(1).toInt())
                break;
        }
    }
    const qsizetype end = data.indexOf("\r\n\r\n");
    r.head = data.left(end);
    r.body = end >= 0 ? data.mid(end + 4) : QByteArray();
    r.status = data.mid(9, 3).toInt();
    return r;
}

inline QByteArray post(const QByteArray& body, const QByteArray& headers, quint16 port)
{
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n" + headers +
           "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// A lean MCP client on one kept-alive HTTP connection, blocking, for tests that need many calls fast
// or exact control of what is sent. Reads JSON responses and event streams alike.
class McpClient
{
public:
    int connections() const { return m_connections; } // TCP connections opened so far
    explicit McpClient(quint16 port, QByteArray token = ProxyProcess::token().toUtf8(),
                       QByteArray path = QByteArrayLiteral("/mcp"))
        : m_port(port)
        , m_token(std::move(token))
        , m_path(std::move(path))
    {}

    bool initialize()
    {
        const QJsonObject init{
            {QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), 0},
            {QStringLiteral("method"), QStringLiteral("initialize")},
            {QStringLiteral("params"),
             QJsonObject{{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
                         {QStringLiteral("capabilities"), QJsonObject()},
                         {QStringLiteral("clientInfo"),
                          QJsonObject{{QStringLiteral("name"), QStringLiteral("e2e")},
                                      {QStringLiteral("version"), QStringLiteral("1")}}}}}};
        const RawResponse r = send(QJsonDocument(init).toJson(QJsonDocument::Compact));
        const QRegularExpression sid(QStringLiteral("(?i)mcp-session-id: *([^\\r\\n]+)"));
        const auto m = sid.match(QString::fromLatin1(r.head));
        if (r.status != 200 || !m.hasMatch())
            return false;
        sessionId = m.captured(1).toLatin1();
        return send(QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                   .status == 202;
    }

    // One POST on the kept connection (a new one if it was closed).
    RawResponse send(const QByteArray& body, const QByteArray& extraHeaders = {})
    {
        if (m_socket.state() != QAbstractSocket::ConnectedState) {
            m_socket.abort();
            m_socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (!m_socket.waitForConnected(5000))
                return {};
            m_buffer.clear();
            ++m_connections;
        }
        QByteArray request =
            "POST " + m_path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
            "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
        if (!m_token.isEmpty())
            request += "Authorization: Bearer " + m_token + "\r\n";
        if (!sessionId.isEmpty())
            request += "Mcp-Session-Id: " + sessionId + "\r\n";
        request += extraHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        m_socket.write(request);
        return read();
    }

    // tools/call; the JSON-RPC response (empty when the connection failed).
    QJsonObject call(const QString& tool, const QJsonObject& arguments, int* status = nullptr)
    {
        const QJsonObject message{
            {QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), ++m_nextId},
            {QStringLiteral("method"), QStringLiteral("tools/call")},
            {QStringLiteral("params"),
             QJsonObject{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}}}};
        const RawResponse r = send(QJsonDocument(message).toJson(QJsonDocument::Compact));
        if (status)
            *status = r.status;
        return QJsonDocument::fromJson(r.body).object();
    }

    QByteArray sessionId;

private:
    RawResponse read()
    {
        RawResponse r;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60'000) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                const QByteArray head = m_buffer.left(end);
                const QString h = QString::fromLatin1(head);
                static const QRegularExpression length(QStringLiteral("(?i)content-length: *(\\d+)"));
                const auto m = length.match(h);
                if (m.hasMatch()) {
                    const qsizetype n = m.captured(1).toLongLong();
                    if (m_buffer.size() >= end + 4 + n) {
                        r.head = head;
                        r.status = head.mid(9, 3).toInt();
                        r.body = m_buffer.mid(end + 4, n);
                        m_buffer.remove(0, end + 4 + n);
                        return r;
                    }
                } else if (h.contains(QStringLiteral("chunked"), Qt::CaseInsensitive)) {
                    const qsizetype last = m_buffer.indexOf("\r\n0\r\n\r\n", end);
                    if (last >= 0) {
                        // An event stream: the last "data:" line is the response.
                        const QByteArray stream = m_buffer.mid(end + 4, last - end - 4);
                        r.head = head;
                        r.status = head.mid(9, 3).toInt();
                        for (const QByteArray& line : stream.split('\n'))
                            if (line.startsWith("data: "))
                                r.body = line.mid(6).trimmed();
                        m_buffer.remove(0, last + 7);
                        return r;
                    }
                } else {
                    r.head = head;
                    r.status = head.mid(9, 3).toInt();
                    m_buffer.remove(0, end + 4);
                    return r;
                }
            }
            if (!m_socket.waitForReadyRead(1000) && m_socket.state() != QAbstractSocket::ConnectedState)
                break;
            m_buffer += m_socket.readAll();
        }
        return r;
    }

    int m_connections = 0;
    quint16 m_port;
    QByteArray m_token;
    QByteArray m_path;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    qint64 m_nextId = 0;
};

// The resident memory of a process, in KB (-1 if it cannot be read).
inline qint64 rssKb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

// A Node script of tests/e2e run to completion (killed if it is not done in time), and the JSON of the
// last line it printed: the e2e client scripts end with their outcome as one JSON line.
struct NodeRun
{
    QJsonObject output;
    QString stderrText;
    bool finished = false;
};

inline NodeRun runNode(const QStringList& args,
                       const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
                       int timeoutMs = 90'000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(E2eDir);
    p.start(Node, args);
    NodeRun run;
    run.finished = p.waitForFinished(timeoutMs);
    if (!run.finished) {
        p.kill();
        p.waitForFinished();
    }
    run.stderrText = QString::fromUtf8(p.readAllStandardError());
    const QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
    run.output = QJsonDocument::fromJson(lines.last()).object();
    return run;
}

struct CommandRun
{
    int exitCode = -1;
    QString out; // stdout and stderr
};

// Runs the gatehouse command line to completion.
inline CommandRun runGatehouse(const QStringList& args)
{
    QProcess p;
    p.start(Gatehouse, args);
    p.waitForFinished(30'000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError())};
}

} // namespace e2e
