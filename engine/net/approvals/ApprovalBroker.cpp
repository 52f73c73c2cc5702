// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalBroker.h"

#include "approvals/ApprovalStore.h"

#include "json/JsonWriter.h"
#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <algorithm>
#include <limits>

Q_LOGGING_CATEGORY(lcApprovals, "gatehouse.approvals")

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

const QList<std::pair<ApprovalState, QString>>& stateNames()
{
    static const QList<std::pair<ApprovalState, QString>> names{
        {ApprovalState::Pending, QStringLiteral("pending")},
        {ApprovalState::Allowed, QStringLiteral("allowed")},
        {ApprovalState::Denied, QStringLiteral("denied")},
        {ApprovalState::Expired, QStringLiteral("expired")},
        {ApprovalState::Used, QStringLiteral("used")},
        {ApprovalState::Withdrawn, QStringLiteral("withdrawn")},
        {ApprovalState::Lapsed, QStringLiteral("lapsed")},
    };
    return names;
}

template <typename E> QString nameOf(const QList<std::pair<E, QString>>& names, E value)
{
    for (const auto& [v, name] : names)
        if (v == value)
            return name;
    return {};
}

template <typename E> std::optional<E> valueOf(const QList<std::pair<E, QString>>& names, const QString& name)
{
    for (const auto& [v, n] : names)
        if (n == name)
            return v;
    return std::nullopt;
}

QString sessionKey(const QString& session, const QString& server, const QString& tool)
{
    return session + u'\x1f' + server + u'\x1f' + tool;
}

ApprovalState stateAfter(const ApprovalAnswer& answer)
{
    switch (answer.outcome) {
    case ApprovalAnswer::Outcome::Allowed:
        return ApprovalState::Allowed;
    case ApprovalAnswer::Outcome::Denied:
        return ApprovalState::Denied;
    case ApprovalAnswer::Outcome::TimedOut:
        return ApprovalState::Expired;
    case ApprovalAnswer::Outcome::Cancelled:
        return ApprovalState::Withdrawn;
    }
    return ApprovalState::Denied;
}
} // namespace

QString approvalChoiceName(ApprovalChoice c)
{
    return nameOf(choiceNames(), c);
}

std::optional<ApprovalChoice> approvalChoiceFromName(const QString& name)
{
    return valueOf(choiceNames(), name);
}

QString approvalStateName(ApprovalState s)
{
    return nameOf(stateNames(), s);
}

std::optional<ApprovalState> approvalStateFromName(const QString& name)
{
    return valueOf(stateNames(), name);
}

QString approvalEventName(ApprovalEvent e)
{
    switch (e) {
    case ApprovalEvent::Requested:
        return QStringLiteral("approval.requested");
    case ApprovalEvent::Decided:
        return QStringLiteral("approval.decided");
    case ApprovalEvent::Expired:
        return QStringLiteral("approval.expired");
    case ApprovalEvent::Used:
        return QStringLiteral("approval.used");
    case ApprovalEvent::Withdrawn:
        return QStringLiteral("approval.withdrawn");
    }
    return {};
}

bool Approval::isOpen(const QDateTime& now) const
{
    switch (state) {
    case ApprovalState::Pending:
        return true;
    case ApprovalState::Allowed:
    case ApprovalState::Denied:
    case ApprovalState::Expired:
        return validUntil.isValid() && now < validUntil;
    default:
        return false;
    }
}

ApprovalBroker::ApprovalBroker(QObject* parent)
    : QObject(parent)
    , m_store(std::make_unique<ApprovalStore>(QStringLiteral(":memory:")))
{
    QString why;
    if (!m_store->open(&why))
        m_failure = why;
    else
        m_secret = m_store->secret(QStringLiteral("links"), &why);
}

ApprovalBroker::~ApprovalBroker() = default;

bool ApprovalBroker::open(const QString& path, QString* error)
{
    auto file = std::make_unique<ApprovalStore>(path);
    QString why;
    QList<Approval> left;
    QByteArray secret;
    if (file->open(&why))
        left = file->unfinished(&why);
    if (why.isEmpty())
        secret = file->secret(QStringLiteral("links"), &why);
    // What this run already holds goes into the file too (approvals asked before it was given).
    for (auto it = m_open.cbegin(); why.isEmpty() && it != m_open.cend(); ++it)
        file->save(it->second.approval, &why);
    if (!why.isEmpty()) {
        m_failure = *error = why;
        return false;
    }
    m_store = std::move(file);
    m_secret = secret;
    m_failure.clear();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (Approval& a : left) {
        if (m_open.count(a.request.id) || m_byBinding.contains(bindingKey(a.request)))
            continue;
        if (!a.isOpen(now)) {
            a.state = ApprovalState::Lapsed;
            store(a, nullptr);
            continue;
        }
        const QString id = a.request.id;
        Open& o = m_open[id];
        o.approval = std::move(a);
        m_byBinding.insert(bindingKey(o.approval.request), id);
        if (o.approval.state == ApprovalState::Pending) {
            // Nobody is looking at it after a restart: a held countdown runs again, from the full timeout.
            if (!o.approval.request.deadline.isValid()) {
                o.approval.request.deadline = now.addSecs(o.approval.terms.timeoutSeconds);
                store(o.approval, nullptr); // so that the next restart does not give it more time again
            }
            startDeadline(o);
            qCInfo(lcApprovals) << "approval" << id << "for" << o.approval.request.tool
                                << "is still pending from an earlier run";
        }
    }
    return true;
}

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
    // Six lowercase letters and digits: easy to type, and never one an earlier approval had.
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    QString id;
    do {
        id.clear();
        for (int i = 0; i < 6; ++i)
            id += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(int(sizeof alphabet) - 1)]);
    } while (m_open.count(id) || m_store->knows(id));
    return id;
}

bool ApprovalBroker::store(const Approval& a, QString* error)
{
    QString why;
    if (m_store->save(a, &why))
        return true;
    qCWarning(lcApprovals) << "cannot record approval" << a.request.id << ":" << why;
    if (error)
        *error = why;
    return false;
}

void ApprovalBroker::startDeadline(Open& open)
{
    const QString id = open.approval.request.id;
    open.deadline = std::make_unique<QTimer>();
    open.deadline->setSingleShot(true);
    connect(open.deadline.get(), &QTimer::timeout, this, [this, id] { onDeadline(id); });
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(open.approval.request.deadline);
    open.deadline->start(int(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max())));
}

void ApprovalBroker::onDeadline(const QString& id)
{
    const auto it = m_open.find(id);
    if (it == m_open.end() || it->second.approval.state != ApprovalState::Pending)
        return;
    ApprovalAnswer a;
    a.outcome = it->second.approval.request.onTimeout == TimeoutOutcome::Allow
                    ? ApprovalAnswer::Outcome::Allowed
                    : ApprovalAnswer::Outcome::TimedOut;
    a.decidedBy = ApprovalAnswer::DecidedBy::Deadline;
    a.approver = QStringLiteral("(timeout)");
    resolve(id, a);
}

quint64 ApprovalBroker::ask(ApprovalRequest request, const ApprovalTerms& terms, Callback callback,
                            QString* error)
{
    if (!m_failure.isEmpty()) {
        *error = m_failure;
        return 0;
    }
    if (request.argumentsHash.isEmpty())
        request.argumentsHash = hashArguments(request.arguments);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (const auto known = m_byBinding.constFind(bindingKey(request)); known != m_byBinding.constEnd()) {
        Open& o = m_open.at(known.value());
        o.approval.calls++;
        o.approval.lastCall = now;
        if (o.approval.state == ApprovalState::Pending)
            return join(o, std::move(callback));
        if (o.approval.isOpen(now))
            return reuse(o, std::move(callback));
        // An answer the agent did not come back for in time: over, and this call is asked about anew.
        o.approval.state = ApprovalState::Lapsed;
        store(o.approval, nullptr);
        const QString id = known.value();
        m_byBinding.remove(bindingKey(request));
        m_open.erase(id);
    }
    const quint64 ticket = m_nextTicket++;
    const QString id = openNew(std::move(request), terms, ticket, std::move(callback), error);
    return id.isEmpty() ? 0 : ticket;
}

QString ApprovalBroker::openNew(ApprovalRequest request, const ApprovalTerms& terms, quint64 ticket,
                                Callback callback, QString* error)
{
    request.id = newId();
    request.created = QDateTime::currentDateTimeUtc();
    request.deadline = request.created.addSecs(terms.timeoutSeconds);
    request.onTimeout = terms.onTimeout;
    Approval a;
    a.request = request;
    a.lastCall = request.created;
    a.calls = 1;
    a.terms = terms;
    if (!store(a, error))
        return {};
    Open& o = m_open[request.id];
    o.approval = std::move(a);
    o.waiters.insert(ticket, std::move(callback));
    m_tickets.insert(ticket, request.id);
    m_byBinding.insert(bindingKey(request), request.id);
    startDeadline(o);
    const Approval asked = o.approval; // listeners may answer it at once
    emit changed(asked, ApprovalEvent::Requested);
    emit requested(request);
    return request.id;
}

quint64 ApprovalBroker::join(Open& open, Callback callback)
{
    // The same call again (an agent retrying, or calling twice): it waits for the same answer.
    const quint64 ticket = m_nextTicket++;
    open.waiters.insert(ticket, std::move(callback));
    m_tickets.insert(ticket, open.approval.request.id);
    store(open.approval, nullptr);
    emit waitingChanged(open.approval.request.id);
    return ticket;
}

quint64 ApprovalBroker::reuse(Open& open, Callback callback)
{
    // Answered while the agent was away: the retry gets that answer. An allowance is used by this call,
    // and written as used before the call may run, so that no restart can run it twice.
    const quint64 ticket = m_nextTicket++;
    ApprovalAnswer answer = open.approval.answer;
    answer.approvalId = open.approval.request.id;
    Delivery delivery{std::move(callback), std::nullopt};
    if (open.approval.state == ApprovalState::Allowed) {
        Approval used = open.approval;
        used.state = ApprovalState::Used;
        QString why;
        if (store(used, &why)) {
            delivery.spent = open.approval;
            m_byBinding.remove(bindingKey(used.request));
            m_open.erase(answer.approvalId);
            emit this->used(answer.approvalId);
            emit changed(used, ApprovalEvent::Used);
        } else {
            answer.notRecorded = why;
        }
    } else {
        store(open.approval, nullptr);
    }
    deliver(ticket, std::move(answer), std::move(delivery));
    return ticket;
}

void ApprovalBroker::deliver(quint64 ticket, ApprovalAnswer answer, Delivery delivery)
{
    m_delivering.insert(ticket, std::move(delivery));
    QMetaObject::invokeMethod(
        this,
        [this, ticket, answer] {
            const Delivery d = m_delivering.take(ticket);
            if (d.callback)
                d.callback(answer);
        },
        Qt::QueuedConnection);
}

// An allowance taken by a caller that left before it got it: open again, for the next identical call.
void ApprovalBroker::keep(Approval approval)
{
    if (m_byBinding.contains(bindingKey(approval.request)) || !store(approval, nullptr))
        return; // a newer approval of the same call is open already, or the file refuses: it is spent
    const QString id = approval.request.id;
    m_byBinding.insert(bindingKey(approval.request), id);
    m_open[id].approval = std::move(approval);
}

void ApprovalBroker::withdraw(quint64 ticket, Leaving leaving)
{
    if (const auto d = m_delivering.constFind(ticket); d != m_delivering.constEnd()) {
        // The answer was on its way: an allowance it took is given back for the next identical call.
        std::optional<Approval> spent = d->spent;
        m_delivering.erase(d);
        if (spent)
            keep(std::move(*spent));
        return;
    }
    const QString id = m_tickets.take(ticket);
    const auto it = m_open.find(id);
    if (it == m_open.end())
        return;
    Open& o = it->second;
    o.waiters.remove(ticket);
    const bool withdraws =
        leaving == Leaving::Cancelled && o.waiters.isEmpty() && o.approval.terms.withdrawOnCancel;
    if (withdraws) {
        ApprovalAnswer a;
        a.outcome = ApprovalAnswer::Outcome::Cancelled;
        a.decidedBy = ApprovalAnswer::DecidedBy::Client;
        a.approver = QStringLiteral("(client gone)");
        resolve(id, a);
    }
    // Otherwise the person still decides; the agent may call again.
    emit waitingChanged(id);
}

bool ApprovalBroker::hold(const QString& id)
{
    const auto it = m_open.find(id);
    if (it == m_open.end() || it->second.approval.state != ApprovalState::Pending || !it->second.deadline ||
        !it->second.deadline->isActive())
        return false;
    it->second.deadline->stop();
    it->second.approval.request.deadline = QDateTime();
    store(it->second.approval, nullptr);
    emit held(id);
    return true;
}

bool ApprovalBroker::answer(const QString& id, ApprovalChoice choice, const QString& approver,
                            const QString& note, const std::optional<QJsonObject>& editedArguments)
{
    const auto it = m_open.find(id);
    if (it == m_open.end() || it->second.approval.state != ApprovalState::Pending)
        return false;
    const ApprovalRequest& r = it->second.approval.request;
    ApprovalAnswer a;
    a.choice = choice;
    a.approver = approver;
    a.note = note;
    if (editedArguments &&
        (choice == ApprovalChoice::AllowOnce || choice == ApprovalChoice::AllowForSession) &&
        hashArguments(*editedArguments) != r.argumentsHash)
        a.editedArguments = editedArguments;
    const bool allows = choice == ApprovalChoice::AllowOnce || choice == ApprovalChoice::AllowForSession ||
                        choice == ApprovalChoice::AlwaysAllow;
    a.outcome = allows ? ApprovalAnswer::Outcome::Allowed : ApprovalAnswer::Outcome::Denied;
    if (choice == ApprovalChoice::AllowForSession) {
        m_sessionAllowed.insert(
            sessionKey(r.session, r.server, r.tool),
            {r.session, r.server, r.tool, r.grant, r.client, approver, QDateTime::currentDateTimeUtc()});
        emit sessionGrantsChanged();
    }
    if (choice == ApprovalChoice::AlwaysAllow || choice == ApprovalChoice::AlwaysDeny)
        emit ruleRequested(r.server, r.grant, r.tool,
                           choice == ApprovalChoice::AlwaysAllow ? ToolAction::Allow : ToolAction::Deny);
    resolve(id, a);
    return true;
}

void ApprovalBroker::resolve(const QString& id, const ApprovalAnswer& given)
{
    const auto it = m_open.find(id);
    if (it == m_open.end())
        return;
    Open& o = it->second;
    ApprovalAnswer answer = given;
    answer.approvalId = id;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (o.deadline) // this may run from the timer's own signal
        o.deadline.release()->deleteLater();
    o.approval.answer = answer;
    o.approval.decided = now;
    o.approval.state = stateAfter(answer);
    o.approval.validUntil = now.addSecs(o.approval.terms.validSeconds);
    QMap<quint64, Callback> waiters = std::exchange(o.waiters, {});
    for (auto w = waiters.cbegin(); w != waiters.cend(); ++w)
        m_tickets.remove(w.key());
    // An allowance runs one call: the oldest caller on the line takes it, and it is written as used
    // before that call may run. The other callers decide afresh.
    Callback first;
    if (answer.allows() && !waiters.isEmpty()) {
        first = waiters.take(waiters.firstKey());
        o.approval.state = ApprovalState::Used;
    }
    const Approval approval = o.approval;
    QString why;
    const bool recorded = store(approval, &why);
    if (!approval.isOpen(now)) {
        m_byBinding.remove(bindingKey(approval.request));
        m_open.erase(it);
    }
    emit resolved(approval.request, answer);
    emit changed(approval, answer.outcome == ApprovalAnswer::Outcome::Cancelled ? ApprovalEvent::Withdrawn
                           : answer.decidedBy == ApprovalAnswer::DecidedBy::Deadline
                               ? ApprovalEvent::Expired
                               : ApprovalEvent::Decided);
    if (first) {
        ApprovalAnswer mine = answer;
        if (!recorded)
            mine.notRecorded = why;
        first(mine);
        ApprovalAnswer others = answer;
        others.decideAgain = true;
        for (const Callback& cb : std::as_const(waiters))
            cb(others);
        return;
    }
    for (const Callback& cb : std::as_const(waiters))
        cb(answer);
}

QList<ApprovalRequest> ApprovalBroker::pending() const
{
    QList<ApprovalRequest> out;
    for (const auto& [id, o] : m_open)
        if (o.approval.state == ApprovalState::Pending)
            out.append(o.approval.request);
    std::sort(out.begin(), out.end(),
              [](const ApprovalRequest& a, const ApprovalRequest& b) { return a.created < b.created; });
    return out;
}

int ApprovalBroker::pendingCount() const
{
    return int(std::count_if(m_open.cbegin(), m_open.cend(), [](const auto& o) {
        return o.second.approval.state == ApprovalState::Pending;
    }));
}

std::optional<ApprovalRequest> ApprovalBroker::request(const QString& id) const
{
    const auto it = m_open.find(id);
    if (it == m_open.end() || it->second.approval.state != ApprovalState::Pending)
        return std::nullopt;
    return it->second.approval.request;
}

std::optional<Approval> ApprovalBroker::find(const QString& id) const
{
    if (auto open = approval(id))
        return open;
    return m_store->find(id);
}

std::optional<Approval> ApprovalBroker::approval(const QString& id) const
{
    const auto it = m_open.find(id);
    if (it == m_open.end())
        return std::nullopt;
    return it->second.approval;
}

int ApprovalBroker::waiting(const QString& id) const
{
    const auto it = m_open.find(id);
    return it == m_open.end() ? 0 : int(it->second.waiters.size());
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
