// SPDX-License-Identifier: GPL-3.0-or-later
#include "StdioEndpoint.h"

#include "ClientSession.h"
#include "UpstreamServer.h"
#include "mcp/JsonRpc.h"

#include <cerrno>
#include <unistd.h>

namespace gatehouse {

StdioEndpoint::StdioEndpoint(UpstreamServer* server, PolicyGate* gate, int inFd, int outFd, QObject* parent)
    : QObject(parent)
    , m_in(inFd)
    , m_out(outFd)
    , m_notifier(inFd, QSocketNotifier::Read)
    , m_server(server)
    , m_upstream(server->acquire())
    , m_session(new ClientSession(QStringLiteral("stdio"), QString(), m_upstream, gate, this))
{
    connect(&m_notifier, &QSocketNotifier::activated, this, &StdioEndpoint::onReadable);
    connect(m_session, &ClientSession::outgoing, this,
            [this](const QJsonObject& m, const QJsonValue&) { write(m); });
}

StdioEndpoint::~StdioEndpoint()
{
    m_session->close();
    m_server->release(m_upstream);
}

void StdioEndpoint::onReadable()
{
    char chunk[65536];
    const ssize_t n = ::read(m_in, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        m_notifier.setEnabled(false);
        if (!m_buffer.trimmed().isEmpty() && !m_discarding)
            handleLine(m_buffer);
        m_buffer.clear();
        m_session->close();
        emit finished();
        return;
    }
    m_buffer.append(chunk, n);
    qsizetype start = 0;
    for (qsizetype nl; (nl = m_buffer.indexOf('\n', start)) >= 0; start = nl + 1) {
        if (m_discarding) {
            m_discarding = false;
            continue;
        }
        handleLine(m_buffer.mid(start, nl - start));
    }
    m_buffer.remove(0, start);
    if (m_buffer.size() > MaxLineBytes) {
        m_buffer.clear();
        m_discarding = true;
        write(jsonrpc::makeError(QJsonValue(QJsonValue::Null), jsonrpc::InvalidRequest,
                                 QStringLiteral("message longer than %1 bytes").arg(MaxLineBytes)));
    }
}

void StdioEndpoint::handleLine(const QByteArray& line)
{
    const QByteArray text = line.trimmed();
    if (text.isEmpty())
        return;
    const jsonrpc::Message m = jsonrpc::parse(text);
    if (m.kind == jsonrpc::Kind::Invalid) {
        const QJsonValue id = m.object.value(QStringLiteral("id"));
        write(jsonrpc::makeError(id.isString() || id.isDouble() ? id : QJsonValue(QJsonValue::Null),
                                 m.errorCode, m.error));
        return;
    }
    m_session->receive(m.object);
}

void StdioEndpoint::write(const QJsonObject& message)
{
    const QByteArray line = jsonrpc::encode(message) + '\n';
    qsizetype done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(m_out, line.constData() + done, size_t(line.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; // the client closed its end
        }
        done += n;
    }
}

} // namespace gatehouse
