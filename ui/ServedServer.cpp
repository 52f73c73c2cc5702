// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServedServer.h"

#include "PolicyDocument.h"
#include "config/Config.h"
#include "policy/PolicyEdit.h"
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"
#include "policy/StarterPolicy.h"
#include "proxy/LocalClient.h"
#include "proxy/PolicyGate.h"
#include "proxy/Proxy.h"
#include "proxy/UpstreamServer.h"

#include <QFile>
#include <QFileInfo>
#include <QTimer>

namespace gatehouse::ui {

ServedServer::ServedServer(Proxy* proxy, UpstreamServer* upstream, const ToolCatalogue& catalogue,
                           QObject* parent)
    : QObject(parent)
    , m_proxy(proxy)
    , m_upstream(upstream)
    , m_catalogue(catalogue)
    , m_document(new PolicyDocument(this))
    , m_status(tr("starting"))
{
    PolicyGate* g = gate();
    QString error;
    if (!g->policyFile().isEmpty() && !m_document->load(g->policyFile(), &error))
        m_document->reset(QByteArray(), g->policyFile());
    connect(g, &PolicyGate::policyChanged, this, &ServedServer::onGatePolicyChanged);
    connect(proxy, &Proxy::serverChanged, this, [this](const QString& server) {
        if (server != name())
            return;
        connect(gate(), &PolicyGate::policyChanged, this, &ServedServer::onGatePolicyChanged,
                Qt::UniqueConnection);
        emit policyStateChanged();
    });
    connect(upstream, &UpstreamServer::stateChanged, this, &ServedServer::onUpstreamState);
    QTimer::singleShot(0, this, &ServedServer::refreshTools);
}

bool ServedServer::hasPolicy() const
{
    const QString file = gate()->policyFile();
    return !file.isEmpty() && QFileInfo::exists(file) && gate()->policy();
}

void ServedServer::onUpstreamState()
{
    switch (m_upstream->state()) {
    case UpstreamServer::State::Starting:
        m_status = tr("starting");
        break;
    case UpstreamServer::State::Running:
        if (!m_reachable) { // started again, or came back after exiting
            m_status = tr("starting");
            QTimer::singleShot(300, this, &ServedServer::refreshTools); // it may answer now
        }
        break;
    case UpstreamServer::State::Exited:
        m_reachable = false;
        m_status = tr("exited: %1").arg(m_upstream->lastError());
        break;
    case UpstreamServer::State::Stopped:
        m_reachable = false;
        m_status = tr("stopped");
        break;
    }
    emit statusChanged();
}

bool ServedServer::recordPolicy(const QString& path, QString* error)
{
    if (m_configPath.isEmpty() || !m_proxy->isConfigured(name()))
        return true; // from the command line: the file is where it was asked to be
    Diagnostics errors;
    std::optional<Config> config = Config::load(m_configPath, &errors);
    if (!config) {
        *error = tr("%1 is invalid: %2").arg(m_configPath, errors.value(0).toString());
        return false;
    }
    ServerConfig s = config->servers.value(name());
    if (s.policy == path)
        return true;
    s.policy = path;
    return config->addServer(name(), s, error, true) && config->save(m_configPath, error);
}

bool ServedServer::createStarterPolicy(QString* error)
{
    if (m_liveTools.isEmpty()) {
        *error = tr("%1 has not listed its tools yet (%2)").arg(name(), m_status);
        return false;
    }
    QString path = gate()->policyFile();
    if (path.isEmpty() || QFileInfo::exists(path))
        path = Config::defaultPolicyFile(name());
    if (!QFileInfo::exists(path) && !writeStarterPolicy(path, m_liveTools, m_upstream->describe(), error))
        return false;
    if (!recordPolicy(path, error))
        return false;
    applySaved(path);
    QString why;
    m_document->load(path, &why);
    emit policyStateChanged();
    if (!hasPolicy()) { // the file was there already, and is not a valid policy
        *error = tr("%1 is not a valid policy; fix it in the Policy tab (every call is refused until then)")
                     .arg(path);
        return false;
    }
    return true;
}

ServedServer::~ServedServer()
{
    // The in-app clients first: closing them settles their pending requests, whose handlers use this.
    const auto clients = std::exchange(m_clients, {});
    for (LocalClient* c : clients)
        delete c;
}

QString ServedServer::name() const
{
    return m_upstream->name();
}

QString ServedServer::transport() const
{
    return m_proxy->servers().value(name()).url.isEmpty() ? QStringLiteral("stdio") : QStringLiteral("http");
}

QString ServedServer::url() const
{
    return m_proxy->mcpUrl(name());
}

PolicyGate* ServedServer::gate() const
{
    return m_proxy->gateFor(name(), QString());
}

QStringList ServedServer::grants() const
{
    return m_proxy->config().grantsOf(name());
}

LocalClient* ServedServer::client(const QString& grant)
{
    LocalClient*& c = m_clients[grant];
    if (!c) {
        c = new LocalClient(m_upstream, m_proxy->gateFor(name(), grant), grant, this);
        if (grant.isEmpty())
            connect(c, &LocalClient::toolsListChanged, this, &ServedServer::refreshTools);
    }
    return c;
}

void ServedServer::refreshTools()
{
    client(QString())->listTools([this](const QJsonObject& response) {
        if (response.contains(QStringLiteral("error"))) {
            m_reachable = false;
            m_status = tr("not answering: %1")
                           .arg(response.value(QStringLiteral("error"))
                                    .toObject()
                                    .value(QStringLiteral("message"))
                                    .toString());
        } else {
            m_reachable = true;
            m_liveTools =
                response.value(QStringLiteral("result")).toObject().value(QStringLiteral("tools")).toArray();
            m_catalogue.mergeLive(m_liveTools);
            m_status = tr("running");
            // A server whose policy file Gatehouse keeps, and that has none yet, gets its starter
            // policy as soon as its tools are known: it decides calls from the first one.
            const QString file = gate()->policyFile();
            QString why;
            if (!file.isEmpty() && !QFileInfo::exists(file) &&
                QFileInfo(file).absolutePath() == QFileInfo(Config::policyFolder()).absoluteFilePath() &&
                !createStarterPolicy(&why))
                emit message(tr("No policy for %1: %2").arg(name(), why));
            emit catalogueChanged();
            emit policyStateChanged();
        }
        emit statusChanged();
    });
}

void ServedServer::applySaved(const QString& path)
{
    const QString file = QFileInfo(path).absoluteFilePath();
    PolicyGate* g = gate();
    if (file == g->policyFile()) {
        g->reload(); // now, not after the file watcher's debounce
    } else {
        // Saved somewhere new (a server that had no policy): the proxy decides by this file from now
        // on, and a configured server remembers it.
        QString why;
        if (!recordPolicy(file, &why))
            emit message(
                tr("The policy is in force, but the configuration could not remember it: %1").arg(why));
        m_proxy->givePolicy(name(), file);
        gate()->reload();
    }
    emit policyStateChanged();
}

void ServedServer::onGatePolicyChanged()
{
    // Edited outside the app (or by "always allow" at an approval): show it, unless the person is in
    // the middle of an edit of their own.
    const QString file = gate()->policyFile();
    if (file.isEmpty() || m_document->isModified())
        return;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return;
    const QByteArray onDisk = f.readAll();
    if (onDisk != m_document->text()->toPlainText().toUtf8())
        m_document->takeFileText(onDisk, tr("Policy changed on disk"));
}

bool ServedServer::applyApprovalRule(const QString& tool, ToolAction action, QString* error)
{
    const QString file = gate()->policyFile();
    const QString what = action == ToolAction::Allow
                             ? tr("Always allow %1 (answered at an approval)").arg(tool)
                             : tr("Always deny %1 (answered at an approval)").arg(tool);
    if (file.isEmpty() || m_document->filePath() != file) {
        *error = tr("%1 has no policy file to write it into").arg(name());
        return false;
    }
    if (!m_document->isModified()) {
        if (!m_document->policy() || !m_document->isValid()) {
            *error = tr("the policy file has errors; fix them in the Policy tab first");
            return false;
        }
        Policy edited = *m_document->policy();
        policyedit::setToolAction(edited, tool, action);
        const int before = m_document->undoStack()->index();
        m_document->setPolicy(edited, what);
        if (!m_document->save(file, error)) {
            if (m_document->undoStack()->index() != before)
                m_document->undoStack()->undo(); // not in the file, so not in the document either
            return false;
        }
        applySaved(file);
        emit message(tr("%1: saved and in effect now (undo in the Policy tab)").arg(what));
        return true;
    }
    // Unsaved edits are not the person's to apply by answering a prompt: the file gets the rule alone.
    const PolicyLoad known = PolicyParser::parse(m_document->fileText());
    if (!known.policy) {
        *error = tr("the policy file had errors when it was last read");
        return false;
    }
    Policy inFile = *known.policy;
    policyedit::setToolAction(inFile, tool, action);
    const QByteArray json = PolicyWriter::toJson(inFile);
    if (!m_document->writeFileText(json, error))
        return false;
    gate()->reload(); // now, not after the file watcher's debounce
    if (!m_document->policy() || !m_document->isValid()) {
        // Nothing to add it to: the file is what the document last knew plus this rule, so the next
        // save asks before replacing it.
        emit message(tr("%1 was written to the policy file; your unsaved edits have errors, so they do "
                        "not include it yet")
                         .arg(what));
        return true;
    }
    Policy edited = *m_document->policy();
    policyedit::setToolAction(edited, tool, action);
    m_document->setPolicy(edited, what);
    m_document->markDiverged(); // undoing back to the old clean step would not be the file any more
    emit message(tr("%1: in effect now, and added to your unsaved edits (undo in the Policy tab)").arg(what));
    return true;
}

} // namespace gatehouse::ui
