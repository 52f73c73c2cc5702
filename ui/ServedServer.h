// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/Policy.h"
#include "policy/ToolCatalogue.h"

#include <QHash>
#include <QObject>

namespace gatehouse {
class LocalClient;
class PolicyGate;
class Proxy;
class UpstreamServer;
} // namespace gatehouse

namespace gatehouse::ui {

class PolicyDocument;

// One upstream server as the app shows it: its tools (catalogue, then the live list), the policy being
// edited for it, and the in-app clients the call console uses. Saving the policy reloads the gate at
// once; a change to the policy file made elsewhere is picked up when nothing is being edited, and an
// "always allow/deny" answered during an edit joins the edit as an undoable step.
class ServedServer : public QObject
{
    Q_OBJECT
public:
    ServedServer(Proxy* proxy, UpstreamServer* upstream, const ToolCatalogue& catalogue,
                 QObject* parent = nullptr);
    ~ServedServer() override;

    QString name() const;
    QString transport() const; // "stdio" or "http"
    QString url() const;       // where agents connect
    QString status() const { return m_status; }
    bool isReachable() const { return m_reachable; }
    const ToolCatalogue& catalogue() const { return m_catalogue; }
    PolicyDocument* document() const { return m_document; }
    PolicyGate* gate() const;
    QStringList grants() const;
    // The in-app client acting as a grant ("" for the app itself).
    LocalClient* client(const QString& grant);

    void refreshTools();
    // The document was saved: the proxy uses the file now.
    void applySaved(const QString& path);

signals:
    void catalogueChanged();
    void statusChanged();
    void message(const QString& text); // for the status bar

private:
    void onGatePolicyChanged();
    void onRuleWritten(const QString& policyFile, const QString& tool, ToolAction action);

    Proxy* m_proxy;
    UpstreamServer* m_upstream;
    ToolCatalogue m_catalogue;
    PolicyDocument* m_document;
    QHash<QString, LocalClient*> m_clients;
    QString m_status;
    bool m_reachable = false;
};

} // namespace gatehouse::ui
