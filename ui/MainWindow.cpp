// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "ApprovalCard.h"
#include "ApprovalPopup.h"
#include "ApprovalQueue.h"
#include "CallConsole.h"
#include "CallTableModel.h"
#include "ConnectClientDialog.h"
#include "HistoryView.h"
#include "ImportDialog.h"
#include "LiveCallsView.h"
#include "PinReviewDialog.h"
#include "PolicyDocument.h"
#include "PolicyEditor.h"
#include "ServedServer.h"
#include "ServerDialog.h"
#include "ServerPane.h"
#include "StatsView.h"
#include "Tones.h"
#include "pins/ToolPins.h"
#include "proxy/PolicyGate.h"
#include "proxy/Proxy.h"
#include "proxy/UpstreamServer.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWindow>

namespace gatehouse::ui {

namespace {
// The app's icon, drawn: a gate arch in the accent colour, with the pending count when there is one.
QIcon gateIcon(int pending)
{
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(QColor(0x1e, 0x6f, 0xd9));
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(4, 4, 56, 56, 12, 12);
    p.setBrush(Qt::white);
    QPainterPath arch;
    arch.moveTo(18, 52);
    arch.lineTo(18, 30);
    arch.arcTo(18, 16, 28, 28, 180, -180);
    arch.lineTo(46, 52);
    arch.closeSubpath();
    p.drawPath(arch);
    p.setBrush(QColor(0x1e, 0x6f, 0xd9));
    p.drawRect(30, 36, 4, 16);
    if (pending > 0) {
        p.setBrush(QColor(0xd9, 0x7a, 0x00));
        p.drawEllipse(34, 0, 30, 30);
        p.setPen(Qt::white);
        QFont f = p.font();
        f.setPixelSize(20);
        f.setBold(true);
        p.setFont(f);
        p.drawText(QRect(34, 0, 30, 30), Qt::AlignCenter,
                   pending > 9 ? QStringLiteral("9+") : QString::number(pending));
    }
    return QIcon(pixmap);
}
// The warning colours, from the application's palette (a banner keeps its own otherwise).
void paintWarning(QFrame* banner)
{
    QPalette p = QGuiApplication::palette();
    p.setColor(QPalette::Window, tone(Tone::WarnBack, p));
    p.setColor(QPalette::WindowText, tone(Tone::WarnText, p));
    banner->setPalette(p);
}

// A strip across the top of the window that says something is wrong: its text, then its buttons.
QFrame* warningBanner(QWidget* parent, QLabel** text)
{
    auto* banner = new QFrame(parent);
    banner->setFrameShape(QFrame::StyledPanel);
    banner->setAutoFillBackground(true);
    paintWarning(banner);
    auto* row = new QHBoxLayout(banner);
    *text = new QLabel(banner);
    (*text)->setWordWrap(true);
    row->addWidget(*text, 1);
    return banner;
}
} // namespace

MainWindow::MainWindow(const Setup& setup, QWidget* parent)
    : QMainWindow(parent)
    , m_setup(setup)
    , m_serverList(new QListWidget(this))
    , m_tabs(new QTabWidget(this))
    , m_editors(new QStackedWidget(this))
    , m_calls(new CallTableModel(this))
    , m_live(new LiveCallsView(m_calls, this))
    , m_history(new HistoryView(setup.auditPath, this))
    , m_stats(new StatsView(this))
    , m_console(new CallConsole(this))
    , m_serverPane(new ServerPane(this))
    , m_approvals(nullptr)
    , m_approvalDock(new QDockWidget(tr("Approvals"), this))
    , m_popup(nullptr)
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_urlButton(new QToolButton(this))
    , m_rate(new QLabel(this))
    , m_pending(new QLabel(this))
{
    setWindowTitle(tr("Gatehouse[*]")); // [*]: unsaved policy edits
    setWindowIcon(gateIcon(0));
    followProxy();
    buildServerList();
    buildTabs();
    buildCentral();
    buildApprovals();
    connect(m_setup.proxy, &Proxy::callDecided, this, [this](const CallRecord& r) { onCall(r, false); });
    connect(m_setup.proxy, &Proxy::callFinished, this, [this](const CallRecord& r) { onCall(r, true); });
    connect(m_live, &LiveCallsView::toolStateRequested, this, &MainWindow::setToolState);
    connect(m_live, &LiveCallsView::limitRequested, this, &MainWindow::limitTool);
    connect(m_live, &LiveCallsView::ruleRequested, this, &MainWindow::openRule);

    buildMenus();
    buildStatusBar();
    buildTray();
    // One server: its name in every row says nothing.
    m_live->table()->setColumnHidden(CallTableModel::Server, m_servers.size() == 1);
    // The queue takes room only when something waits (it opens itself then) or the person opens it.
    m_approvalDock->hide();
    restoreSettings();
    updatePending(0);
    updateServerPane();
    updatePolicyBanner();
    updateConnectBanner();
}

void MainWindow::followProxy()
{
    for (UpstreamServer* u : m_setup.proxy->upstreams())
        addServedServer(u);
    connect(m_setup.proxy, &Proxy::serverAdded, this, [this](const QString& name) {
        if (UpstreamServer* u = m_setup.proxy->upstream(name)) {
            addServedServer(u);
            m_console->setServers(m_servers);
            m_live->table()->setColumnHidden(CallTableModel::Server, m_servers.size() == 1);
            updateConnectBanner();
            statusBar()->showMessage(tr("Serving %1 at %2").arg(name, m_setup.proxy->mcpUrl(name)),
                                     10000);
        }
    });
    connect(m_setup.proxy, &Proxy::serverRemoved, this, &MainWindow::removeServedServer);
    // In the app a policy file has one writer, the document that holds it: "always allow" included.
    m_setup.proxy->setRuleWriter(
        [this](PolicyGate* gate, const QString& tool, ToolAction action, QString* why) {
            for (ServedServer* s : std::as_const(m_servers))
                if (s->gate() == gate)
                    return s->applyApprovalRule(tool, action, why);
            return gate->setToolAction(tool, action, why); // a grant's own policy: no document holds it
        });
    connect(m_setup.proxy, &Proxy::serverRefused, this, [this](const QString& name, const QString& why) {
        auto* box = new QMessageBox(
            QMessageBox::Warning, tr("%1 is not served").arg(name),
            tr("%1 is in the configuration, but Gatehouse cannot serve it: %2").arg(name, why),
            QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void MainWindow::buildServerList()
{
    m_serverList->setAccessibleName(tr("Servers"));
    m_serverList->setWordWrap(true);
    m_serverList->setSpacing(2);
    connect(m_serverList, &QListWidget::currentRowChanged, m_editors, &QStackedWidget::setCurrentIndex);
    // The server being looked at, "*" while some policy has unsaved edits; the system adds " — Gatehouse".
    connect(m_serverList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (const ServedServer* s = m_servers.value(row))
            setWindowTitle(s->name() + QStringLiteral("[*]"));
        updateServerPane();
        updatePolicyBanner();
    });
    m_serverList->setCurrentRow(0);
}

void MainWindow::buildTabs()
{
    m_tabs->addTab(m_editors, tr("&Policy"));
    m_tabs->addTab(m_live, tr("&Live calls"));
    m_tabs->addTab(m_history, tr("&History"));
    m_tabs->addTab(m_stats, tr("S&tats"));
    m_tabs->addTab(m_console, tr("C&onsole"));
    m_tabs->addTab(m_serverPane, tr("Se&rver"));
    connect(m_serverPane, &ServerPane::startRequested, this, [this] {
        if (UpstreamServer* u = currentUpstream())
            u->start();
    });
    connect(m_serverPane, &ServerPane::stopRequested, this, [this] {
        if (UpstreamServer* u = currentUpstream())
            u->stop();
    });
    connect(m_serverPane, &ServerPane::restartRequested, this, [this] {
        if (UpstreamServer* u = currentUpstream())
            u->restart();
    });
    connect(m_serverPane, &ServerPane::editRequested, this, &MainWindow::editServer);
    connect(m_serverPane, &ServerPane::removeRequested, this, &MainWindow::removeServer);
    connect(m_serverPane, &ServerPane::unguardRequested, this, &MainWindow::unguardServer);
    m_console->setServers(m_servers);
}

void MainWindow::buildCentral()
{
    m_splitter->addWidget(m_serverList);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({230, 1200});
    m_serverList->setMinimumWidth(
        m_serverList->fontMetrics().horizontalAdvance(QStringLiteral("rolli-sandbox · 30")) + 24);
    m_splitter->setCollapsible(0, false);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 0);
    if (!m_setup.connection.url.isEmpty()) {
        m_banner = new ConnectBanner(m_setup.connection, central);
        connect(m_banner, &ConnectBanner::tryRiskyCall, this, &MainWindow::tryRiskyCall);
        connect(m_banner, &ConnectBanner::connectClient, this, &MainWindow::connectClient);
        connect(m_banner, &ConnectBanner::dismissed, this,
                [] { QSettings().setValue(QStringLiteral("banner/dismissed"), true); });
        layout->addWidget(m_banner);
    }
    if (ToolPins* pins = m_setup.proxy->pins()) {
        // Tools held back by pinning: said at the top of the window until reviewed.
        m_pinsBanner = warningBanner(central, &m_pinsText);
        auto* row = static_cast<QHBoxLayout*>(m_pinsBanner->layout());
        auto* review = new QPushButton(tr("&Review…"), m_pinsBanner);
        connect(review, &QPushButton::clicked, this, &MainWindow::reviewPins);
        row->addWidget(review);
        layout->addWidget(m_pinsBanner);
        connect(pins, &ToolPins::reviewsChanged, this, [this] { updatePinsBanner(true); });
        updatePinsBanner(false);
    }
    // A server without a policy refuses every call: said at the top, with the one click that fixes it.
    m_policyBanner = warningBanner(central, &m_policyText);
    {
        auto* row = static_cast<QHBoxLayout*>(m_policyBanner->layout());
        m_policyFix = new QPushButton(tr("Create a starter &policy"), m_policyBanner);
        connect(m_policyFix, &QPushButton::clicked, this, [this] {
            ServedServer* s = m_servers.value(m_serverList->currentRow());
            QString why;
            if (s && s->createStarterPolicy(&why))
                statusBar()->showMessage(
                    tr("%1 now has a starter policy from its tools, in force: review it in the Policy tab")
                        .arg(s->name()),
                    10000);
            else if (s)
                statusBar()->showMessage(tr("No policy made: %1").arg(why), 10000);
            updatePolicyBanner();
        });
        row->addWidget(m_policyFix);
        layout->addWidget(m_policyBanner);
    }
    layout->addWidget(m_splitter, 1);
    setCentralWidget(central);
}

void MainWindow::buildApprovals()
{
    // Approvals: the docked queue, the pop-up, the tray.
    m_approvals = new ApprovalQueue(
        m_setup.proxy->broker(),
        [this](const QString& server, const QString& tool) {
            const ServedServer* s = this->server(server);
            const ToolInfo* info = s ? s->catalogue().find(tool) : nullptr;
            return info ? info->riskClass : QString();
        },
        m_approvalDock);
    m_approvalDock->setObjectName(QStringLiteral("approvals"));
    m_approvalDock->setWidget(m_approvals);
    m_approvalDock->setMinimumWidth(340);
    addDockWidget(Qt::RightDockWidgetArea, m_approvalDock);
    m_popup = new ApprovalPopup(m_setup.proxy->broker(), m_approvals, this);
    connect(m_approvals, &ApprovalQueue::openCountChanged, this, &MainWindow::updatePending);
    connect(qApp, &QGuiApplication::focusWindowChanged, this, &MainWindow::updatePopup);
    connect(m_approvals, &ApprovalQueue::emptied, this, [this] {
        if (m_dockOpenedForCalls)
            m_approvalDock->hide(); // it opened itself for them; nothing is left to show
        m_dockOpenedForCalls = false;
    });
    // The answer keys: the same wherever the focus is in the window, whichever tab is shown.
    for (ApprovalChoice c : {ApprovalChoice::AllowOnce, ApprovalChoice::AllowForSession,
                             ApprovalChoice::AlwaysAllow, ApprovalChoice::Deny, ApprovalChoice::AlwaysDeny}) {
        auto* key = new QShortcut(ApprovalCard::keyFor(c), this);
        key->setContext(Qt::WindowShortcut);
        key->setAutoRepeat(false); // a held key must not walk down the queue answering every card
        connect(key, &QShortcut::activated, this, [this, c] {
            if (!m_approvals->head()) {
                statusBar()->showMessage(tr("No call is waiting for an answer"), 4000);
            } else if (!m_approvalDock->isVisible()) {
                m_approvalDock->show(); // never answer a call that is not on the screen
                statusBar()->showMessage(tr("A call is waiting: read it in the Approvals panel, then answer"),
                                         6000);
            } else if (!m_approvals->answerHead(c)) {
                statusBar()->showMessage(tr("That call has only just appeared; read it, then answer"), 4000);
            }
        });
    }
    auto* editKey = new QShortcut(ApprovalCard::editKey(), this);
    editKey->setAutoRepeat(false);
    connect(editKey, &QShortcut::activated, m_approvals, &ApprovalQueue::editHead);
    connect(m_approvals, &ApprovalQueue::createRuleRequested, this, &MainWindow::openRule);
    connect(m_approvals, &ApprovalQueue::requestArrived, this, [this](const ApprovalRequest& r) {
        if (!m_approvalDock->isVisible()) {
            m_approvalDock->show();
            m_dockOpenedForCalls = true;
        }
        if (m_tray && !isActiveWindow())
            m_tray->showMessage(
                tr("Approval needed"),
                tr("%1 on %2 from %3 (%4)")
                    .arg(r.tool, r.server, r.client.isEmpty() ? tr("an agent") : r.client, r.rule),
                QSystemTrayIcon::Warning, 10000);
    });
    connect(m_approvals, &ApprovalQueue::missed, this, [this](const ApprovalRequest& r) {
        const QString text = tr("Missed approval: %1 on %2 was decided by the timeout").arg(r.tool, r.server);
        statusBar()->showMessage(text, 15000);
        if (m_tray)
            m_tray->showMessage(tr("Missed approval"), text, QSystemTrayIcon::Information, 10000);
    });
}

void MainWindow::addServedServer(UpstreamServer* u)
{
    auto* s = new ServedServer(m_setup.proxy, u, m_setup.catalogues.value(u->name()), this);
    s->setConfigPath(m_setup.connection.configPath);
    // Restarted with a new configuration: the policy edits not saved yet come along.
    if (const QByteArray carried = m_carriedEdits.take(u->name()); !carried.isEmpty())
        s->document()->carryEdits(carried, tr("Unsaved edits, kept when %1 restarted").arg(u->name()));
    m_servers << s;
    auto* editor = new PolicyEditor(s->document(), m_editors);
    editor->setCatalogue(s->catalogue());
    editor->setReplaySource(m_setup.auditPath, s->name());
    m_editors->addWidget(editor);
    m_editorByServer.insert(s->name(), editor);
    auto* item = new QListWidgetItem(m_serverList);
    item->setData(Qt::UserRole, s->name());
    connect(s, &ServedServer::statusChanged, this,
            [this, s] { updateServerItem(int(m_servers.indexOf(s))); });
    connect(s, &ServedServer::catalogueChanged, this, [this, s, editor] {
        editor->setCatalogue(s->catalogue());
        updateServerItem(int(m_servers.indexOf(s)));
        updateConnectBanner();
    });
    connect(s, &ServedServer::policyStateChanged, this, &MainWindow::updatePolicyBanner);
    connect(editor, &PolicyEditor::saved, s, &ServedServer::applySaved);
    connect(s, &ServedServer::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 12000); });
    connect(editor, &PolicyEditor::modifiedChanged, this, [this, s] {
        updateServerItem(int(m_servers.indexOf(s)));
        updateModified();
    });
    connect(editor, &PolicyEditor::status, this,
            [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    updateServerItem(int(m_servers.size() - 1));
}

void MainWindow::removeServedServer(const QString& name)
{
    ServedServer* s = server(name);
    if (!s)
        return;
    const int row = int(m_servers.indexOf(s));
    if (s->document()->isModified()) // it may come back at once (Edit…, the file changed): keep them
        m_carriedEdits.insert(name, s->document()->text()->toPlainText().toUtf8());
    m_servers.removeAt(row);
    delete m_serverList->takeItem(row);
    PolicyEditor* editor = m_editorByServer.take(name);
    m_editors->removeWidget(editor);
    editor->deleteLater();
    if (m_serverPane->server() == s)
        m_serverPane->setServer(nullptr, {});
    delete s; // now: its in-app clients let go of the upstream before it is deleted
    m_console->setServers(m_servers);
    updateServerPane();
    updatePolicyBanner();
    updateConnectBanner();
    statusBar()->showMessage(tr("No longer serving %1").arg(name), 10000);
}

UpstreamServer* MainWindow::currentUpstream() const
{
    const ServedServer* s = m_servers.value(m_serverList->currentRow());
    return s ? s->upstream() : nullptr;
}

void MainWindow::updateServerPane()
{
    ServedServer* s = m_servers.value(m_serverList->currentRow());
    const auto guard = s ? ClientGuard::recordOf(s->name()) : std::nullopt;
    m_serverPane->setServer(
        s, guard ? tr("the %1 entry of %2 (%3)")
                       .arg(guard->entry, ClientConfigFile::displayName(guard->client), guard->path)
                 : QString());
}

void MainWindow::updateConnectBanner()
{
    if (!m_banner)
        return;
    QStringList names;
    bool rolli = false;
    for (const ServedServer* s : std::as_const(m_servers)) {
        names << s->name();
        rolli = rolli || s->catalogue().find(QStringLiteral("rerun_agent_run"));
    }
    if (!names.isEmpty())
        m_banner->setServers(names, m_setup.proxy->baseUrl(), rolli);
}

void MainWindow::updatePolicyBanner()
{
    if (!m_policyBanner)
        return; // not built yet: the constructor calls this once it is
    const ServedServer* s = m_servers.value(m_serverList->currentRow());
    const bool show = s && !s->hasPolicy();
    m_policyBanner->setVisible(show);
    if (!show)
        return;
    m_policyText->setText(
        tr("⚠ <b>%1</b> has no policy in force: every call an agent makes to it is refused. A starter policy "
           "from its tools allows reading, limits writes and runs per minute, asks you before anything that "
           "spends money, and hides destructive tools.")
            .arg(s->name().toHtmlEscaped()));
    m_policyFix->setEnabled(s->isReachable());
}

void MainWindow::addServer()
{
    ServerDialog dialog(m_setup.connection.configPath, m_setup.keepSecrets, {}, this);
    connect(&dialog, &ServerDialog::saved, this, [this](const QString& name, const QStringList& notes) {
        keepSandboxBeside();
        m_setup.proxy->reloadConfig();
        showServer(name);
        m_tabs->setCurrentIndex(ServerTab);
        if (!notes.isEmpty())
            statusBar()->showMessage(notes.join(QStringLiteral("; ")), 12000);
    });
    dialog.exec();
}

void MainWindow::keepSandboxBeside()
{
    // The sandbox shown beside the person's own servers stays there after a restart.
    if (server(QStringLiteral("rolli-sandbox")) &&
        !m_setup.proxy->isConfigured(QStringLiteral("rolli-sandbox")))
        QSettings().setValue(QStringLiteral("servers/sandbox"), true);
}

void MainWindow::editServer()
{
    const ServedServer* s = m_servers.value(m_serverList->currentRow());
    if (!s)
        return;
    if (!m_setup.proxy->isConfigured(s->name())) {
        QMessageBox::information(
            this, tr("Edit %1").arg(s->name()),
            tr("%1 was given on the command line, not in the configuration; start Gatehouse "
               "differently to change it, or add it with Servers ▸ Add server…")
                .arg(s->name()));
        return;
    }
    ServerDialog dialog(m_setup.connection.configPath, m_setup.keepSecrets, s->name(), this);
    connect(&dialog, &ServerDialog::saved, this, [this] { m_setup.proxy->reloadConfig(); });
    dialog.exec();
}

void MainWindow::removeServer()
{
    const ServedServer* s = m_servers.value(m_serverList->currentRow());
    if (!s)
        return;
    const QString name = s->name();
    if (ClientGuard::recordOf(name)) {
        QMessageBox::information(
            this, tr("Remove %1").arg(name),
            tr("%1 stands in for a client's own entry. Unguard it instead: that puts the "
               "client's entry back and removes it here.")
                .arg(name));
        return;
    }
    if (QMessageBox::question(
            this, tr("Remove %1").arg(name),
            tr("Stop serving %1 and remove it? Agents connected to it lose it; its grants are "
               "revoked. Its policy file stays.")
                .arg(name)) != QMessageBox::Yes)
        return;
    if (!m_setup.proxy->isConfigured(name)) {
        if (name == u"rolli-sandbox")
            QSettings().setValue(QStringLiteral("servers/sandbox"), false);
        m_setup.proxy->removeServer(name);
        return;
    }
    Diagnostics errors;
    std::optional<Config> config = Config::load(m_setup.connection.configPath, &errors);
    QString why;
    if (!config) {
        statusBar()->showMessage(tr("%1 is invalid, so nothing was removed: %2")
                                     .arg(m_setup.connection.configPath, errors.value(0).toString()),
                                 12000);
        return;
    }
    config->servers.remove(name);
    for (const QString& g : config->grantsOf(name))
        config->grants.remove(g);
    if (!config->save(m_setup.connection.configPath, &why)) {
        statusBar()->showMessage(tr("Cannot write %1: %2").arg(m_setup.connection.configPath, why), 12000);
        return;
    }
    m_setup.proxy->reloadConfig();
}

ClientGuard::Options MainWindow::guardOptions() const
{
    ClientGuard::Options o;
    o.configPath = m_setup.connection.configPath;
    o.proxyBaseUrl = m_setup.proxy->baseUrl();
    o.bridgeProgram = m_setup.connection.stdioCommand.value(0);
    o.keepSecrets = m_setup.keepSecrets;
    o.readSecret = m_setup.readSecret;
    return o;
}

void MainWindow::importServers()
{
    ImportDialog dialog(guardOptions(), this);
    connect(&dialog, &ImportDialog::guarded, this,
            [this](const QStringList& servers, const QStringList& notes) {
                keepSandboxBeside();
                m_setup.proxy->reloadConfig();
                if (!servers.isEmpty())
                    showServer(servers.first());
                statusBar()->showMessage(notes.join(QStringLiteral(" ")), 15000);
            });
    dialog.exec();
}

void MainWindow::unguardServer()
{
    const ServedServer* s = m_servers.value(m_serverList->currentRow());
    if (!s)
        return;
    const QString name = s->name();
    ClientGuard::Options dry = guardOptions();
    dry.dryRun = true;
    const ClientGuard::Outcome preview = ClientGuard::unguard(name, dry);
    if (!preview.ok) {
        QMessageBox::warning(this, tr("Unguard %1").arg(name), preview.error);
        return;
    }
    QMessageBox box(QMessageBox::Question, tr("Unguard %1").arg(name),
                    tr("Put the client's own entry back, so it starts %1 itself again, and stop serving it "
                       "here?")
                        .arg(name),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setDetailedText(preview.diff);
    if (box.exec() != QMessageBox::Yes)
        return;
    const ClientGuard::Outcome o = ClientGuard::unguard(name, guardOptions());
    if (!o.ok) {
        QMessageBox::warning(this, tr("Unguard %1").arg(name), o.error);
        return;
    }
    m_setup.proxy->reloadConfig();
    statusBar()->showMessage(o.notes.join(QStringLiteral(" ")), 12000);
}

MainWindow::~MainWindow()
{
    // Taking the window apart moves the focus; the pop-up must not look at a queue being destroyed.
    disconnect(qApp, nullptr, this, nullptr);
    m_setup.proxy->setRuleWriter({});
    delete m_popup;
    m_popup = nullptr;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Save policy and apply"), QKeySequence::Save, this, [this] {
        if (auto* e = qobject_cast<PolicyEditor*>(m_editors->currentWidget()))
            e->save();
    });
    if (!m_setup.connection.url.isEmpty())
        file->addAction(tr("&Connect a client…"), this, &MainWindow::connectClient);
    QMenu* servers = menuBar()->addMenu(tr("&Servers"));
    servers->addAction(tr("&Add server…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                       &MainWindow::addServer);
    servers->addAction(tr("&Guard a client's servers…"), this, &MainWindow::importServers);
    servers->addSeparator();
    servers->addAction(tr("&Start"), this, [this] {
        if (UpstreamServer* u = currentUpstream())
            u->start();
    });
    servers->addAction(tr("S&top"), this, [this] {
        if (UpstreamServer* u = currentUpstream())
            u->stop();
    });
    servers->addAction(tr("&Restart"), this, [this] {
        if (UpstreamServer* u = currentUpstream())
            u->restart();
    });
    servers->addAction(tr("&Edit…"), this, &MainWindow::editServer);
    servers->addAction(tr("Re&move…"), this, &MainWindow::removeServer);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_approvalDock->toggleViewAction());
    m_approvalDock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Y));
    for (int t = 0; t < m_tabs->count(); ++t)
        view->addAction(m_tabs->tabText(t).remove(u'&'), QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + t)), this,
                        [this, t] { m_tabs->setCurrentIndex(t); });
    view->addAction(tr("&Find in live calls"), QKeySequence::Find, this, [this] {
        m_tabs->setCurrentIndex(LiveTab);
        m_live->filterText()->setFocus();
        m_live->filterText()->selectAll();
    });
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Connect your agent"), this, [this] { showBanner(true); });
    help->addAction(tr("&About Gatehouse"), this, [this] {
        QMessageBox::about(this, tr("About Gatehouse"),
                           tr("<h3>Gatehouse %1</h3><p>Decides every MCP tool call before it runs.</p>"
                              "<p>GPL-3.0-or-later. Built with Qt %2.</p>")
                               .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
    });
}

void MainWindow::updatePinsBanner(bool notify)
{
    const QList<ToolPins::Review> held = m_setup.proxy->pins()->reviews();
    m_pinsBanner->setVisible(!held.isEmpty());
    if (held.isEmpty())
        return;
    const bool suspicious =
        std::any_of(held.cbegin(), held.cend(), [](const auto& r) { return !r.flags.isEmpty(); });
    QStringList names;
    QStringList plain;
    for (const ToolPins::Review& r : held) {
        names << QStringLiteral("<b>%1</b> (%2)").arg(r.tool.toHtmlEscaped(), r.server.toHtmlEscaped());
        plain << r.tool;
    }
    const QString what =
        held.size() == 1 ? tr("⚠ A tool changed or appeared since its definition was approved, and is held "
                              "back from agents: %1.")
                         : tr("⚠ %1 tools changed or appeared since their definitions were approved, and are "
                              "held back from agents: %2.")
                               .arg(held.size())
                               .replace(QStringLiteral("%2"), QStringLiteral("%1"));
    m_pinsText->setText(
        what.arg(names.join(QStringLiteral(", "))) +
        (suspicious ? tr(" <b>Some look like they try to instruct the model.</b>") : QString()));
    if (notify && m_tray)
        m_tray->showMessage(tr("Tool definitions changed"),
                            tr("%1 held back from agents until reviewed: %2. Open Gatehouse and press "
                               "Review… in the banner.")
                                .arg(held.size() == 1 ? tr("1 tool") : tr("%1 tools").arg(held.size()),
                                     plain.join(QStringLiteral(", "))),
                            QSystemTrayIcon::Warning);
}

void MainWindow::reviewPins()
{
    PinReviewDialog dialog(m_setup.proxy->pins(), this);
    dialog.exec();
}

void MainWindow::connectClient()
{
    ConnectClientDialog::Target target;
    target.serverName = m_setup.connection.serverName;
    target.url = m_setup.connection.url;
    target.bridgeProgram = m_setup.connection.stdioCommand.value(0);
    target.configPath = m_setup.connection.configPath;
    target.launchToken = m_setup.connection.token;
    ConnectClientDialog dialog(target, this);
    connect(&dialog, &ConnectClientDialog::grantIssued, this, [this](const QString& label) {
        statusBar()->showMessage(tr("Grant %1 made for %2").arg(label, m_setup.connection.serverName), 8000);
    });
    dialog.exec();
}

void MainWindow::buildStatusBar()
{
    m_urlButton->setAutoRaise(true);
    m_urlButton->setText(m_setup.proxy->baseUrl() + QStringLiteral("/mcp"));
    m_urlButton->setToolTip(tr("The proxy's address. Click to copy."));
    connect(m_urlButton, &QToolButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_urlButton->text());
        statusBar()->showMessage(tr("Copied %1").arg(m_urlButton->text()), 3000);
    });
    statusBar()->addPermanentWidget(m_urlButton);
    statusBar()->addPermanentWidget(m_rate);
    statusBar()->addPermanentWidget(m_pending);
    m_rate->setText(tr("0 calls/s"));
    auto* second = new QTimer(this);
    connect(second, &QTimer::timeout, this, [this] {
        m_rate->setText(tr("%L1 calls/s").arg(m_callsThisSecond));
        m_callsThisSecond = 0;
    });
    second->start(1000);
}

void MainWindow::buildTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(gateIcon(0), this);
    auto* menu = new QMenu(this);
    menu->addAction(tr("Show Gatehouse"), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    menu->addAction(tr("Quit"), qApp, &QApplication::quit);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
        showNormal();
        raise();
        activateWindow();
        m_approvalDock->show();
    });
    m_tray->show();
}

void MainWindow::updatePending(int count)
{
    m_pending->setText(count ? tr("<b style='color:%1'>%n approval(s) pending</b>", nullptr, count)
                                   .arg(tone(Tone::Warn, palette()).name())
                             : tr("no approvals pending"));
    setWindowIcon(gateIcon(count));
    if (m_tray) {
        m_tray->setIcon(gateIcon(count));
        m_tray->setToolTip(count ? tr("Gatehouse: %n approval(s) pending", nullptr, count) : tr("Gatehouse"));
    }
    m_approvalDock->setWindowTitle(count ? tr("Approvals (%1)").arg(count) : tr("Approvals"));
    updatePopup();
}

void MainWindow::updatePopup()
{
    // Any window of the app in front (this one, a dialog it opened such as "Allow with edits…"): the
    // person is here already, and a second card of the same call would only compete with the first.
    if (!m_popup)
        return;
    QWidget* active = QApplication::activeWindow();
    m_popup->setSuppressed(active && active != m_popup && !isMinimized());
}

void MainWindow::changeEvent(QEvent* event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::ActivationChange || event->type() == QEvent::WindowStateChange)
        updatePopup();
    if (event->type() == QEvent::ApplicationPaletteChange) {
        for (QFrame* banner : {m_pinsBanner, m_policyBanner})
            if (banner)
                paintWarning(banner);
        updatePending(m_approvals->openCount());
    }
}

void MainWindow::updateServerItem(int row)
{
    QListWidgetItem* item = m_serverList->item(row);
    const ServedServer* s = m_servers.value(row);
    if (!item || !s)
        return;
    item->setText(tr("%1%5\n%2 · %3 · %n tool(s)\n%4", nullptr, s->catalogue().size())
                      .arg(s->name(), s->transport(), s->status(), s->url(),
                           s->document()->isModified() ? tr(" • unsaved edits") : QString()));
    item->setToolTip(m_setup.proxy->upstream(s->name())->describe());
    item->setIcon(QIcon::fromTheme(s->isReachable() ? QStringLiteral("network-connect")
                                                    : QStringLiteral("network-disconnect")));
    item->setForeground(s->isReachable() ? palette().color(QPalette::Text) : tone(Tone::Bad, palette()));
}

void MainWindow::updateModified()
{
    const bool any = std::any_of(m_servers.cbegin(), m_servers.cend(),
                                 [](const ServedServer* s) { return s->document()->isModified(); });
    setWindowModified(any);
    m_tabs->setTabText(PolicyTab, any ? tr("&Policy •") : tr("&Policy"));
}

void MainWindow::onCall(const CallRecord& record, bool finished)
{
    m_calls->add(record);
    if (finished) {
        m_stats->add(record);
        ++m_callsThisSecond;
    }
}

ServedServer* MainWindow::server(const QString& name) const
{
    for (ServedServer* s : m_servers)
        if (s->name() == name)
            return s;
    return nullptr;
}

PolicyEditor* MainWindow::policyEditor(const QString& server) const
{
    return m_editorByServer.value(server);
}

void MainWindow::showServer(const QString& name)
{
    for (int i = 0; i < m_serverList->count(); ++i)
        if (m_serverList->item(i)->data(Qt::UserRole).toString() == name)
            m_serverList->setCurrentRow(i);
}

void MainWindow::showBanner(bool show)
{
    if (m_banner)
        m_banner->setVisible(show);
}

void MainWindow::editTool(const QString& serverName, const std::function<void(Policy&)>& edit,
                          const QString& what)
{
    ServedServer* s = server(serverName);
    if (!s || !s->document()->policy() || !s->document()->isValid()) {
        statusBar()->showMessage(
            tr("The policy of %1 has errors; fix it in the Policy tab first").arg(serverName), 8000);
        return;
    }
    const bool wasClean = !s->document()->isModified();
    Policy edited = *s->document()->policy();
    edit(edited);
    s->document()->setPolicy(edited, what);
    // A quick action from the monitor takes effect at once, unless other edits are still unsaved.
    if (wasClean && m_editorByServer.value(serverName)->save())
        statusBar()->showMessage(tr("%1: saved and applied (undo in the Policy tab)").arg(what), 8000);
    else
        statusBar()->showMessage(tr("%1: edited; save the policy to apply it").arg(what), 8000);
}

void MainWindow::setToolState(const QString& server, const QString& tool, policyedit::ToolState state)
{
    editTool(
        server, [&](Policy& p) { policyedit::setToolState(p, tool, state); },
        state == policyedit::ToolState::Deny ? tr("Deny %1").arg(tool)
                                             : tr("Require approval for %1").arg(tool));
}

void MainWindow::limitTool(const QString& server, const QString& tool)
{
    bool ok = false;
    const int max = QInputDialog::getInt(this, tr("Limit %1").arg(tool),
                                         tr("Calls of %1 allowed per minute, for each grant:").arg(tool), 10,
                                         0, 1'000'000, 1, &ok);
    if (!ok)
        return;
    editTool(
        server,
        [&](Policy& p) {
            policyedit::limitTool(p, tool, max, LimitWindow::named(LimitWindow::Unit::Minute),
                                  LimitScope::Grant);
        },
        tr("Limit %1 to %2/minute per grant").arg(tool).arg(max));
}

void MainWindow::openRule(const QString& server, const QString& tool)
{
    showServer(server);
    m_tabs->setCurrentIndex(PolicyTab);
    if (PolicyEditor* e = policyEditor(server))
        e->selectTool(tool);
}

void MainWindow::tryRiskyCall()
{
    // The demonstration needs Rolli's tools; any other server gets a call of the person's own choosing.
    for (const ServedServer* s : std::as_const(m_servers)) {
        if (s->catalogue().find(QStringLiteral("rerun_agent_run"))) {
            m_console->select(s->name(), QStringLiteral("rerun_agent_run"));
            m_tabs->setCurrentIndex(LiveTab);
            m_console->tryRiskyCall();
            return;
        }
    }
    m_tabs->setCurrentIndex(ConsoleTab);
    statusBar()->showMessage(
        tr("Try a call: choose a tool of your server, fill in its arguments and press Call"), 12000);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    // The person's last size and place (Qt keeps it on a screen that is there now); the first time,
    // 1440x900 where there is room for it and its frame, maximised on a small screen (at 1280x720 a
    // window the height of the screen would put its title bar and status bar past the edges).
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QRect room = screen()->availableGeometry();
        const QSize frame(16, 48); // borders and a title bar, before the window manager says
        const QSize size(std::min(1440, room.width() - frame.width()),
                         std::min(900, room.height() - frame.height()));
        resize(size);
        move(room.center() - QPoint(size.width() / 2, size.height() / 2));
        if (room.height() < 800 || room.width() < 1280 + frame.width())
            setWindowState(windowState() | Qt::WindowMaximized);
    }
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    m_splitter->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray());
    m_live->splitter()->restoreState(s.value(QStringLiteral("live/splitter")).toByteArray());
    m_live->table()->horizontalHeader()->restoreState(s.value(QStringLiteral("live/columns2")).toByteArray());
    m_tabs->setCurrentIndex(s.value(QStringLiteral("window/tab"), 0).toInt());
    for (PolicyEditor* e : std::as_const(m_editorByServer)) {
        const QList<QSplitter*> splitters = e->splitters();
        for (int i = 0; i < splitters.size(); ++i)
            splitters[i]->restoreState(s.value(QStringLiteral("policy/splitter%1").arg(i)).toByteArray());
    }
    if (m_banner && s.value(QStringLiteral("banner/dismissed")).toBool())
        m_banner->hide();
}

void MainWindow::saveSettings()
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    s.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    s.setValue(QStringLiteral("live/splitter"), m_live->splitter()->saveState());
    s.setValue(QStringLiteral("live/columns2"), m_live->table()->horizontalHeader()->saveState());
    if (PolicyEditor* e = qobject_cast<PolicyEditor*>(m_editors->currentWidget())) {
        const QList<QSplitter*> splitters = e->splitters();
        for (int i = 0; i < splitters.size(); ++i)
            s.setValue(QStringLiteral("policy/splitter%1").arg(i), splitters[i]->saveState());
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QStringList unsaved;
    for (ServedServer* s : std::as_const(m_servers))
        if (s->document()->isModified())
            unsaved << s->name();
    if (!unsaved.isEmpty()) {
        const auto answer = QMessageBox::question(
            this, tr("Unsaved policy"),
            tr("The policy of %1 has unsaved edits. Save them (and apply them) before quitting?")
                .arg(unsaved.join(QStringLiteral(", "))),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Save) {
            for (ServedServer* s : std::as_const(m_servers)) {
                if (s->document()->isModified() && !m_editorByServer.value(s->name())->save()) {
                    event->ignore(); // the editor said why; nothing is lost
                    return;
                }
            }
        }
    }
    saveSettings();
    event->accept();
}

} // namespace gatehouse::ui
