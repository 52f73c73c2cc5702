// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ConnectBanner.h"
#include "config/ClientGuard.h"
#include "config/Config.h"
#include "policy/PolicyEdit.h"
#include "policy/ToolCatalogue.h"

#include <QMainWindow>
#include <QMap>
#include <functional>

class QDockWidget;
class QFrame;
class QLabel;
class QListWidget;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QSystemTrayIcon;
class QTabWidget;
class QToolButton;

namespace gatehouse {
class Proxy;
class UpstreamServer;
struct CallRecord;
} // namespace gatehouse

namespace gatehouse::ui {

class ApprovalPopup;
class ApprovalQueue;
class CallConsole;
class CallTableModel;
class HistoryView;
class LiveCallsView;
class PolicyEditor;
class ServerPane;
class ServedServer;
class StatsView;

// The Gatehouse window: servers on the left; Policy, Live calls, History, Stats and Console tabs; the
// approval queue docked on the right; proxy URL, call rate and pending approvals in the status bar.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    struct Setup
    {
        Proxy* proxy = nullptr;
        QMap<QString, ToolCatalogue> catalogues; // known tools per server, before it answers
        QString auditPath;
        ConnectBanner::Connection connection; // for the "Connect your agent" banner
        // Moves credentials a person typed into the keychain (the app's; empty in tests: kept as typed
        // is then refused). See ServerSetup.
        std::function<bool(const QString& server, ServerConfig& config, QStringList* moved, QString* error)>
            keepSecrets;
        std::function<std::optional<QString>(const QString& name, QString* error)> readSecret;
    };
    explicit MainWindow(const Setup& setup, QWidget* parent = nullptr);
    ~MainWindow() override;

    enum Tab
    {
        PolicyTab,
        LiveTab,
        HistoryTab,
        StatsTab,
        ConsoleTab,
        ServerTab
    };
    QTabWidget* tabs() const { return m_tabs; }
    CallTableModel* callModel() const { return m_calls; }
    LiveCallsView* liveCalls() const { return m_live; }
    ApprovalQueue* approvals() const { return m_approvals; }
    CallConsole* console() const { return m_console; }
    StatsView* stats() const { return m_stats; }
    PolicyEditor* policyEditor(const QString& server) const;
    ServedServer* server(const QString& name) const;
    QList<ServedServer*> servers() const { return m_servers; }
    void showServer(const QString& name);
    // "Connect a client": writes Gatehouse into an MCP client's configuration (modal).
    void connectClient();
    // Tool definitions held by pinning: the review (modal).
    void reviewPins();
    // Servers ▸ Add server…, Guard a client's servers…, and the Server tab's Edit, Remove, Unguard.
    void addServer();
    void importServers();
    void editServer();
    void removeServer();
    void unguardServer();
    ServerPane* serverPane() const { return m_serverPane; }
    QFrame* policyBanner() const { return m_policyBanner; }
    ConnectBanner* connectBanner() const { return m_banner; }
    QFrame* pinsBanner() const { return m_pinsBanner; }
    void showBanner(bool show);

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void addServedServer(UpstreamServer* upstream);
    void removeServedServer(const QString& name);
    UpstreamServer* currentUpstream() const;
    void updateServerPane();
    void updatePolicyBanner();
    void updateConnectBanner();
    void keepSandboxBeside();
    ClientGuard::Options guardOptions() const;
    // The constructor's steps: the proxy's servers followed; the server list; the tabs; the window's
    // centre (banners above the list and tabs); the approvals (queue, pop-up, answer keys).
    void followProxy();
    void buildServerList();
    void buildTabs();
    void buildCentral();
    void buildApprovals();
    void buildMenus();
    void buildStatusBar();
    void buildTray();
    void restoreSettings();
    void saveSettings();
    void updateServerItem(int row);
    void onCall(const CallRecord& record, bool finished);
    void editTool(const QString& server, const std::function<void(Policy&)>& edit, const QString& what);
    void setToolState(const QString& server, const QString& tool, policyedit::ToolState state);
    void limitTool(const QString& server, const QString& tool);
    void openRule(const QString& server, const QString& tool);
    void updatePending(int count);
    void updatePopup();
    void updateModified();
    void tryRiskyCall();

    Setup m_setup;
    QList<ServedServer*> m_servers;
    QMap<QString, QByteArray> m_carriedEdits; // unsaved policy text of a server being restarted
    QListWidget* m_serverList;
    QTabWidget* m_tabs;
    QStackedWidget* m_editors;
    QMap<QString, PolicyEditor*> m_editorByServer;
    CallTableModel* m_calls;
    LiveCallsView* m_live;
    HistoryView* m_history;
    StatsView* m_stats;
    CallConsole* m_console;
    ServerPane* m_serverPane;
    QFrame* m_policyBanner = nullptr;
    QLabel* m_policyText = nullptr;
    QPushButton* m_policyFix = nullptr;
    ApprovalQueue* m_approvals;
    QDockWidget* m_approvalDock;
    ApprovalPopup* m_popup;
    void updatePinsBanner(bool notify);
    ConnectBanner* m_banner = nullptr;
    QFrame* m_pinsBanner = nullptr;
    QLabel* m_pinsText = nullptr;
    QSplitter* m_splitter;
    QToolButton* m_urlButton;
    QLabel* m_rate;
    QLabel* m_pending;
    QSystemTrayIcon* m_tray = nullptr;
    int m_callsThisSecond = 0;
    bool m_dockOpenedForCalls = false; // the queue opened itself, so it may close itself
};

} // namespace gatehouse::ui
