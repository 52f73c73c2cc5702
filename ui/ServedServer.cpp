// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServedServer.h"

#include "PolicyDocument.h"
#include "policy/PolicyEdit.h"
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"
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
    connect(proxy, &Proxy::ruleWritten, this, &ServedServer::onRuleWritten);
    QTimer::singleShot(0, this, &ServedServer::refreshTools);
}

ServedServer::~ServedServer() = default;

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
            m_catalogue.mergeLive(
                response.value(QStringLiteral("result")).toObject().value(QStringLiteral("tools")).toArray());
            m_status = tr("running");
            emit catalogueChanged();
        }
        emit statusChanged();
    });
}

void ServedServer::applySaved(const QString& path)
{
    PolicyGate* g = gate();
    if (QFileInfo(path).absoluteFilePath() == g->policyFile())
        g->reload(); // now, not after the file watcher's debounce
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

void ServedServer::onRuleWritten(const QString& policyFile, const QString& tool, ToolAction action)
{
    if (policyFile.isEmpty() || policyFile != gate()->policyFile() || !m_document->isModified())
        return; // an unmodified document already took the file's new text
    const QString what = action == ToolAction::Allow
                             ? tr("Always allow %1 (answered at an approval)").arg(tool)
                             : tr("Always deny %1 (answered at an approval)").arg(tool);
    if (!m_document->policy() || !m_document->isValid()) {
        // Nothing to merge into: the next save sees the file changed and asks before replacing it.
        emit message(tr("%1 was written to the policy file; your unsaved edits have errors, so they do "
                        "not include it yet")
                         .arg(what));
        return;
    }
    Policy edited = *m_document->policy();
    policyedit::setToolAction(edited, tool, action);
    m_document->setPolicy(edited, what);
    m_document->markDiverged(); // undoing back to the old clean step would not be the file any more
    // The file is what the document last knew of it plus this rule, and nothing else: then the edit
    // holds all of it. Anything more came from elsewhere, and the next Save asks before replacing it.
    QFile f(policyFile);
    const PolicyLoad known = PolicyParser::parse(m_document->fileText());
    if (known.policy && f.open(QIODevice::ReadOnly)) {
        Policy expected = *known.policy;
        policyedit::setToolAction(expected, tool, action);
        const QByteArray onDisk = f.readAll();
        if (onDisk == PolicyWriter::toJson(expected))
            m_document->acknowledgeFileText(onDisk);
    }
    emit message(tr("%1: in effect now, and added to your unsaved edits (undo in the Policy tab)").arg(what));
}

} // namespace gatehouse::ui
