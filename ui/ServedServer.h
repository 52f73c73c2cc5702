// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/Policy.h"
#include "policy/ToolCatalogue.h"

#include <QHash>
#include <QJsonArray>
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

    UpstreamServer* upstream() const { return m_upstream; }
    // Whether the proxy has a policy file for it that exists (else every call is refused).
    bool hasPolicy() const;
    // The starter policy from its tools, written to the data folder and put in force (and, for a
    // configured server, recorded in the configuration). False, with the reason, when it cannot be.
    bool createStarterPolicy(QString* error);

    void refreshTools();
    // The document was saved to `path`: the proxy uses that file now, from the next call on (and the
    // configuration remembers it, for a configured server).
    void applySaved(const QString& path);
    // "Always allow / always deny" answered at an approval, written by this document (the file's one
    // writer in the app): a clean document takes it as an undoable step and is saved; with unsaved
    // edits, the file gets only the rule and the edits get it as an undoable step too. In force from
    // the next call either way. False and why when it cannot be written.
    bool applyApprovalRule(const QString& tool, ToolAction action, QString* error);
    // Where the configuration lives, for recording a server's new policy file.
    void setConfigPath(const QString& path) { m_configPath = path; }

signals:
    void catalogueChanged();
    void statusChanged();
    void policyStateChanged();         // hasPolicy() may have changed
    void message(const QString& text); // for the status bar

private:
    void onGatePolicyChanged();
    void onUpstreamState();
    bool recordPolicy(const QString& path, QString* error);
    QJsonArray m_liveTools;
    QString m_configPath;

    Proxy* m_proxy;
    UpstreamServer* m_upstream;
    ToolCatalogue m_catalogue;
    PolicyDocument* m_document;
    QHash<QString, LocalClient*> m_clients;
    QString m_status;
    bool m_reachable = false;
};

} // namespace gatehouse::ui
