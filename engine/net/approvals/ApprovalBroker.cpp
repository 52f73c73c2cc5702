// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalBroker.h"

#include "json/JsonWriter.h"
#include <QCryptographicHash>
#include <QRandomGenerator>

namespace gatehouse {

namespace {
const QList<std::pair<ApprovalChoice, QString>>& choiceNames()
{
    static const QList<std::pair<ApprovalChoice, QString>> names{
        {ApprovalChoice::AllowOnce, QStringLiteral("allow-once")},
        {ApprovalChoice::AllowForSession, QStringLiteral("allow-session")},
        {ApprovalChoice::AlwaysAllow, QStringLiteral("always-allow")},
        {ApprovalChoice::Deny, QStringLiteral("deny")},
        {ApprovalChoice::AlwaysDeny, QStringLiteral("always-deny")},
    };
    return names;
}

QString sessionKey(const QString& session, const QString& server, const QString& tool)
{
    return session + u'\x1f' + server + u'\x1f' + tool;
}
} // namespace

QString approvalChoiceName(ApprovalChoice c)
{
    for (const auto& [choice, name] : choiceNames())
        if (choice == c)
            return name;
    return {};
}

std::optional<ApprovalChoice> approvalChoiceFromName(const QString& name)
{
    for (const auto& [choice, n] : choiceNames())
        if (n == name)
            return choice;
    return std::nullopt;
}

ApprovalBroker::ApprovalBroker(QObject* parent)
    : QObject(parent)
{}

QString ApprovalBroker::hashArguments(const QJsonObject& arguments)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(JsonWriter::canonical(arguments), QCryptographicHash::Sha256).toHex());
}

QString ApprovalBroker::bindingKey(const ApprovalRequest& r) const
{
    return r.server + u'\x1f' + r.tool + u'\x1f' + r.argumentsHash + u'\x1f' + r.grant;
}

QString ApprovalBroker::newId() const
{
    // Six lowercase letters and digits: easy to type, and unique among the few pending at once.
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    QString id;
    do {
        id.clear();
        for (int i = 0; i < 6; ++i)
            id += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(int(sizeof alphabet) - 1)]);
    } while (m_pending.contains(id));
    return id;
}

quint64 ApprovalBroker::ask(ApprovalRequest request, int timeoutSeconds, TimeoutOutcome onTimeout,
                            Callback callback)
{
    if (request.argumentsHash.isEmpty())
        request.argumentsHash = hashArguments(request.arguments);
    const quint64 ticket = m_nextTicket++;
    const QString key = bindingKey(request);
    if (const auto existing = m_byBinding.constFind(key); existing != m_byBinding.constEnd()) {
        // The same call again (an agent retrying): wait for the same answer.
        m_pending[existing.value()].waiters.insert(ticket, std::move(callback));
        m_tickets.insert(ticket, existing.value());
        return ticket;
    }
    request.id = newId();
    request.created = QDateTime::currentDateTimeUtc();
    request.deadline = request.created.addSecs(timeoutSeconds);
    request.onTimeout = onTimeout;
    Pending p;
    p.request = request;
    p.onTimeout = onTimeout;
    p.waiters.insert(ticket, std::move(callback));
    p.timer = new QTimer(this);
    p.timer->setSingleShot(true);
    const QString id = request.id;
    connect(p.timer, &QTimer::timeout, this, [this, id] {
        const auto it = m_pending.constFind(id);
        if (it == m_pending.constEnd())
            return;
        ApprovalAnswer a;
        a.outcome = it->onTimeout == TimeoutOutcome::Allow ? ApprovalAnswer::Outcome::Allowed
                                                           : ApprovalAnswer::Outcome::TimedOut;
        a.decidedBy = ApprovalAnswer::DecidedBy::Deadline;
        a.approver = QStringLiteral("(timeout)");
        resolve(id, a);
    });
    p.timer->start(timeoutSeconds * 1000);
    m_pending.insert(id, std::move(p));
    m_byBinding.insert(key, id);
    m_tickets.insert(ticket, id);
    emit requested(request);
    return ticket;
}

void ApprovalBroker::withdraw(quint64 ticket)
{
    const QString id = m_tickets.take(ticket);
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    it->waiters.remove(ticket);
    if (!it->waiters.isEmpty())
        return;
    ApprovalAnswer a;
    a.outcome = ApprovalAnswer::Outcome::Cancelled;
    a.decidedBy = ApprovalAnswer::DecidedBy::Client;
    a.approver = QStringLiteral("(client gone)");
    resolve(id, a);
}

bool ApprovalBroker::hold(const QString& id)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end() || !it->timer->isActive())
        return false;
    it->timer->stop();
    it->request.deadline = QDateTime();
    emit held(id);
    return true;
}

bool ApprovalBroker::answer(const QString& id, ApprovalChoice choice, const QString& approver,
                            const QString& note, const std::optional<QJsonObject>& editedArguments)
{
    const auto it = m_pending.constFind(id);
    if (it == m_pending.constEnd())
        return false;
    const ApprovalRequest& r = it->request;
    ApprovalAnswer a;
    a.choice = choice;
    a.approver = approver;
    a.note = note;
    if (editedArguments &&
        (choice == ApprovalChoice::AllowOnce || choice == ApprovalChoice::AllowForSession) &&
        hashArguments(*editedArguments) != r.argumentsHash)
        a.editedArguments = editedArguments;
    switch (choice) {
    case ApprovalChoice::AllowOnce:
        a.outcome = ApprovalAnswer::Outcome::Allowed;
        break;
    case ApprovalChoice::AllowForSession:
        a.outcome = ApprovalAnswer::Outcome::Allowed;
        m_sessionAllowed.insert(
            sessionKey(r.session, r.server, r.tool),
            {r.session, r.server, r.tool, r.grant, r.client, approver, QDateTime::currentDateTimeUtc()});
        emit sessionGrantsChanged();
        break;
    case ApprovalChoice::AlwaysAllow:
        a.outcome = ApprovalAnswer::Outcome::Allowed;
        emit ruleRequested(r.server, r.grant, r.tool, ToolAction::Allow);
        break;
    case ApprovalChoice::Deny:
        a.outcome = ApprovalAnswer::Outcome::Denied;
        break;
    case ApprovalChoice::AlwaysDeny:
        a.outcome = ApprovalAnswer::Outcome::Denied;
        emit ruleRequested(r.server, r.grant, r.tool, ToolAction::Deny);
        break;
    }
    resolve(id, a);
    return true;
}

void ApprovalBroker::resolve(const QString& id, const ApprovalAnswer& answer)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    Pending p = std::move(it.value());
    m_pending.erase(it);
    m_byBinding.remove(bindingKey(p.request));
    p.timer->stop();
    p.timer->deleteLater();
    for (auto w = p.waiters.cbegin(); w != p.waiters.cend(); ++w)
        m_tickets.remove(w.key());
    emit resolved(p.request, answer);
    for (const Callback& cb : std::as_const(p.waiters))
        cb(answer);
}

QList<ApprovalRequest> ApprovalBroker::pending() const
{
    QList<ApprovalRequest> out;
    for (const Pending& p : m_pending)
        out.append(p.request);
    std::sort(out.begin(), out.end(),
              [](const ApprovalRequest& a, const ApprovalRequest& b) { return a.created < b.created; });
    return out;
}

std::optional<ApprovalRequest> ApprovalBroker::request(const QString& id) const
{
    const auto it = m_pending.constFind(id);
    if (it == m_pending.constEnd())
        return std::nullopt;
    return it->request;
}

QList<SessionGrant> ApprovalBroker::sessionGrants() const
{
    QList<SessionGrant> out = m_sessionAllowed.values();
    std::sort(out.begin(), out.end(),
              [](const SessionGrant& a, const SessionGrant& b) { return a.created < b.created; });
    return out;
}

bool ApprovalBroker::revokeSessionGrant(const QString& session, const QString& server, const QString& tool)
{
    if (!m_sessionAllowed.remove(sessionKey(session, server, tool)))
        return false;
    emit sessionGrantsChanged();
    return true;
}

bool ApprovalBroker::isAllowedForSession(const QString& session, const QString& server,
                                         const QString& tool) const
{
    return m_sessionAllowed.contains(sessionKey(session, server, tool));
}

void ApprovalBroker::endSession(const QString& session)
{
    const QString prefix = session + u'\x1f';
    if (m_sessionAllowed.removeIf([&prefix](const auto& it) { return it.key().startsWith(prefix); }) > 0)
        emit sessionGrantsChanged();
}

} // namespace gatehouse
