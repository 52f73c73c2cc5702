// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyGate.h"

#include "audit/AuditLog.h"
#include "policy/PolicyEdit.h"
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"

#include <QFileInfo>
#include <QSaveFile>

namespace gatehouse {

PolicyGate::PolicyGate(std::shared_ptr<const GateContext> context, QObject* parent)
    : QObject(parent)
    , m_evaluator(context->counters)
    , m_context(std::move(context))
{
    // Editors save in several steps (truncate, write, rename); wait for the dust to settle.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, [this] { reload(); });
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &PolicyGate::onFileChanged);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &PolicyGate::onFileChanged);
}

bool PolicyGate::watchFile(const QString& path)
{
    // A gate may be pointed at a new file (a server that had none got one): the old one is let go.
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
    m_file = QFileInfo(path).absoluteFilePath();
    m_watcher.addPath(m_file);
    // Watch the directory too: an atomic save replaces the file, and the old watch goes with it.
    m_watcher.addPath(QFileInfo(m_file).absolutePath());
    return reload();
}

void PolicyGate::onFileChanged()
{
    if (!m_watcher.files().contains(m_file) && QFileInfo::exists(m_file))
        m_watcher.addPath(m_file);
    m_debounce.start();
}

bool PolicyGate::reload()
{
    if (m_file.isEmpty())
        return false;
    PolicyLoad load = PolicyParser::parseFile(m_file);
    if (!load.policy) {
        emit policyRejected(load.errors);
        return false;
    }
    setPolicy(std::make_shared<const Policy>(std::move(*load.policy)));
    return true;
}

void PolicyGate::setPolicy(std::shared_ptr<const Policy> policy)
{
    std::shared_ptr<const Policy> old;
    {
        std::lock_guard lock(m_mutex);
        old = std::exchange(m_policy, std::move(policy));
    }
    emit policyChanged();
    const QStringList before = old && old->hide ? *old->hide : QStringList();
    const QStringList after = m_policy && m_policy->hide ? *m_policy->hide : QStringList();
    if (before != after)
        emit hiddenToolsChanged();
}

std::shared_ptr<const Policy> PolicyGate::policy() const
{
    std::lock_guard lock(m_mutex);
    return m_policy;
}

Decision PolicyGate::decide(const ToolCall& call, qint64 nowMs) const
{
    const auto p = policy();
    return m_evaluator.decide(p.get(), call, nowMs);
}

Decision PolicyGate::reserveApproved(const ToolCall& call, qint64 nowMs) const
{
    const auto p = policy();
    if (!p)
        return m_evaluator.decide(nullptr, call, nowMs);
    return m_evaluator.reserveApproved(*p, call, nowMs);
}

bool PolicyGate::setToolAction(const QString& tool, ToolAction action, QString* error)
{
    const auto current = policy();
    if (!current) {
        if (error)
            *error = QStringLiteral("no policy is loaded");
        return false;
    }
    Policy edited = *current;
    policyedit::setToolAction(edited, tool, action);

    if (!m_file.isEmpty()) {
        QSaveFile file(m_file);
        if (!file.open(QIODevice::WriteOnly) || file.write(PolicyWriter::toJson(edited)) < 0 ||
            !file.commit()) {
            if (error)
                *error = QStringLiteral("cannot write %1: %2").arg(m_file, file.errorString());
            return false;
        }
    }
    setPolicy(std::make_shared<const Policy>(std::move(edited)));
    return true;
}

void PolicyGate::recordFinished(const CallRecord& record, std::function<void(bool)> release)
{
    emit callFinished(record);
    if (!m_context->audit) {
        release(true);
        return;
    }
    m_context->audit->append(record, [this, release = std::move(release), tool = record.tool](bool durable) {
        if (!durable)
            emit auditFailed(
                m_context->auditFailure == GateContext::AuditFailure::Refuse
                    ? QStringLiteral("the audit log could not record a call of %1: its answer is "
                                     "withheld and calls are refused until the log can be written")
                          .arg(tool)
                    : QStringLiteral("the audit log could not record a call of %1 (continuing "
                                     "unrecorded, as configured)")
                          .arg(tool));
        release(durable || m_context->auditFailure == GateContext::AuditFailure::Continue);
    });
}

bool PolicyGate::refusesForAudit() const
{
    return m_context->audit && m_context->auditFailure == GateContext::AuditFailure::Refuse &&
           !m_context->audit->isHealthy();
}

bool PolicyGate::isHidden(const QString& tool) const
{
    const auto p = policy();
    return p && p->isHidden(tool);
}

} // namespace gatehouse
