// SPDX-License-Identifier: GPL-3.0-or-later
// Bringing your own servers, as a person does it in the real window over real servers and clients:
// add server-everything from the dialog and call it from the official SDK client without a restart;
// decide by the saved policy and keep it across a restart; guard a server of a Claude Desktop
// configuration, start its new entry the way Claude Desktop does, see the calls, unguard it and get the
// file back byte for byte; a configuration edited on disk while the app runs.
#include "CallTableModel.h"
#include "ImportDialog.h"
#include "MainWindow.h"
#include "PolicyDocument.h"
#include "PolicyEditor.h"
#include "ServedServer.h"
#include "ServerDialog.h"
#include "ServerPane.h"
#include "audit/AuditLog.h"
#include "policy/PolicyEdit.h"
#include "proxy/Proxy.h"
#include "proxy/UpstreamServer.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTextDocument>
#include <QTimer>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;

namespace {
const QString Node = QStringLiteral(GATEHOUSE_E2E_DIR "/node_modules/.bin/node");
const QString Everything =
    QStringLiteral(GATEHOUSE_E2E_DIR "/node_modules/@modelcontextprotocol/server-everything/dist/index.js");

// Runs `then` on the next modal dialog of type T as soon as it is up. Any other dialog that stays up
// for 10 s is closed and named, so that a test fails instead of hanging.
template <typename T> void whenModal(std::function<void(T*)> then)
{
    auto* timer = new QTimer;
    timer->setInterval(20);
    auto since = std::make_shared<QElapsedTimer>();
    since->start();
    QObject::connect(timer, &QTimer::timeout, [timer, then, since] {
        QWidget* modal = QApplication::activeModalWidget();
        if (auto* d = qobject_cast<T*>(modal)) {
            timer->stop();
            timer->deleteLater();
            then(d);
        } else if (modal && since->elapsed() > 10'000) {
            qWarning() << "unexpected dialog:" << modal->metaObject()->className() << modal->windowTitle()
                       << (qobject_cast<QMessageBox*>(modal) ? qobject_cast<QMessageBox*>(modal)->text()
                                                             : QString());
            if (auto* dialog = qobject_cast<QDialog*>(modal))
                dialog->reject();
            timer->stop();
            timer->deleteLater();
        }
    });
    timer->start();
}
} // namespace

class TestServers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<Proxy> m_proxy;
    std::unique_ptr<MainWindow> m_window;
    QStringList m_log;

    QString configPath() const { return m_dir.filePath(QStringLiteral("config/gatehouse/config.json")); }

    // What `gatehouse` does at start, on this machine's files: the configuration's servers (the sandbox
    // when there are none), each with its policy file, followed as the configuration changes.
    void startApp(QMap<QString, ServerConfig> extra = {})
    {
        Diagnostics errors;
        auto config = std::make_shared<Config>(*Config::load(configPath(), &errors));
        QMap<QString, ServerConfig> servers = config->servers;
        // The sandbox, as on a first start, and beside servers added while it was shown.
        if ((servers.isEmpty() && extra.isEmpty()) ||
            QSettings().value(QStringLiteral("servers/sandbox")).toBool()) {
            ServerConfig sandbox;
            sandbox.command = QStringList{QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")};
            sandbox.policy = Config::defaultPolicyFile(QStringLiteral("rolli-sandbox"));
            if (!QFileInfo::exists(sandbox.policy))
                QFile::copy(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json"),
                            sandbox.policy);
            QFile::setPermissions(sandbox.policy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            servers.insert(QStringLiteral("rolli-sandbox"), sandbox);
        }
        for (auto it = extra.cbegin(); it != extra.cend(); ++it)
            servers.insert(it.key(), *it);
        auto prepare = [](const QString& name, ServerConfig& s, QString*) {
            if (s.policy.isEmpty())
                s.policy = Config::defaultPolicyFile(name);
            return true;
        };
        for (auto it = servers.begin(); it != servers.end(); ++it)
            if (config->servers.contains(it.key()))
                prepare(it.key(), *it, nullptr);
        m_audit = std::make_unique<AuditLog>(m_dir.filePath(QStringLiteral("audit.sqlite")));
        QString error;
        QVERIFY2(m_audit->open(&error), qPrintable(error));
        m_proxy = std::make_unique<Proxy>(config, servers, m_audit.get());
        m_proxy->setServerPreparer(prepare);
        connect(m_proxy.get(), &Proxy::logLine, this, [this](const QString& line) { m_log << line; });
        m_proxy->watchConfig(configPath());
        Proxy::Settings settings;
        settings.port = 0;
        settings.launchToken = "test-token";
        settings.followConfigServers = true;
        QVERIFY2(m_proxy->start(settings, &error), qPrintable(error));
        MainWindow::Setup setup;
        setup.proxy = m_proxy.get();
        setup.auditPath = m_audit->path();
        const QString first = servers.firstKey();
        setup.connection.serverName = first;
        setup.connection.url = m_proxy->mcpUrl(first);
        setup.connection.token = QStringLiteral("test-token");
        setup.connection.configPath = configPath();
        setup.connection.stdioCommand = {QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("connect"),
                                         setup.connection.url};
        m_window = std::make_unique<MainWindow>(setup);
        m_window->resize(1280, 720);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }
    void stopApp()
    {
        m_window.reset();
        m_proxy.reset();
        m_audit.reset();
    }

    // The official SDK client at its defaults: one call, the printed result line.
    QJsonObject sdkCall(const QString& server, const QString& tool, const QJsonObject& args)
    {
        QProcess p;
        p.setWorkingDirectory(QStringLiteral(GATEHOUSE_E2E_DIR));
        p.start(Node,
                {QStringLiteral("newcomer-client.mjs"), m_proxy->mcpUrl(server), QStringLiteral("test-token"),
                 tool, QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact))});
        // The proxy runs on this thread: keep the event loop turning while the client talks to it.
        if (!QTest::qWaitFor([&p] { return p.state() == QProcess::NotRunning; }, 30000))
            qWarning("the SDK client did not finish within 30 s"); // its empty answer fails the caller
        return QJsonDocument::fromJson(p.readAllStandardOutput().trimmed().split('\n').last()).object();
    }
    static QString text(const QJsonObject& line)
    {
        return QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact));
    }
    ServedServer* served(const QString& name) const { return m_window->server(name); }
    static void shoot(QWidget* w, const QString& name)
    {
        QCoreApplication::processEvents();
        QDir().mkpath(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR));
        const QString path = QStringLiteral(GATEHOUSE_SCREENSHOT_DIR "/%1.png").arg(name);
        QVERIFY(w->grab().save(path));
        QVERIFY(QFileInfo(path).size() > 10'000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("HOME", m_dir.path().toUtf8());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
        qunsetenv("GATEHOUSE_CONFIG");
        QDir().mkpath(Config::policyFolder());
        QVERIFY2(QFileInfo::exists(Everything), "run scripts/install-e2e.sh");
    }

    void addServerFromTheDialogAndCallIt()
    {
        startApp();
        QVERIFY(served(QStringLiteral("rolli-sandbox")));
        whenModal<ServerDialog>([](ServerDialog* d) {
            // A name that is not safe in a URL is refused with the reason, and the dialog stays.
            d->nameField()->setText(QStringLiteral("my server"));
            d->commandField()->setText(QStringLiteral("\"%1\" \"%2\" stdio").arg(Node, Everything));
            d->accept();
            QVERIFY(d->isVisible());
            QVERIFY(d->errorLabel()->text().contains(u"part of the server's URL"));
            d->nameField()->setText(QStringLiteral("everything"));
            d->accept();
        });
        m_window->addServer();
        // Served at once, next to the sandbox: no restart.
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("everything")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("everything"))->isReachable(), 20000);
        QVERIFY(served(QStringLiteral("rolli-sandbox"))->isReachable());
        // The banner names both, where each is reached.
        QVERIFY2(m_window->connectBanner()->text().contains(u"<b>rolli-sandbox</b>, <b>everything</b>") ||
                     m_window->connectBanner()->text().contains(u"<b>everything</b>, <b>rolli-sandbox</b>"),
                 qPrintable(m_window->connectBanner()->text()));
        // Its starter policy, from its tools, is written, recorded and in force.
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("everything"))->hasPolicy(), 10000);
        QVERIFY(!m_window->policyBanner()->isVisible());
        const QString policy = Config::defaultPolicyFile(QStringLiteral("everything"));
        Diagnostics errors;
        QCOMPARE(Config::load(configPath(), &errors)->servers.value(QStringLiteral("everything")).policy,
                 policy);
        QCOMPARE(m_window->tabs()->currentIndex(), int(MainWindow::ServerTab));
        QCOMPARE(m_window->serverPane()->server(), served(QStringLiteral("everything")));
        QTRY_VERIFY(m_window->serverPane()->log()->toPlainText().contains(u"upstream started"));
        QTRY_VERIFY(m_window->serverPane()->statusLabel()->text().contains(u"running"));
        shoot(m_window.get(), QStringLiteral("server-tab"));

        const QJsonObject echo = sdkCall(QStringLiteral("everything"), QStringLiteral("echo"),
                                         QJsonObject{{QStringLiteral("message"), QStringLiteral("hi")}});
        QVERIFY2(text(echo).contains(u"Echo: hi"), qPrintable(text(echo)));
        QTRY_VERIFY(m_window->callModel()->rowCount() >= 1);
    }

    void savedPolicyDecidesAndSurvivesARestart()
    {
        // Deny echo in the Policy tab and save: the next call is refused.
        ServedServer* s = served(QStringLiteral("everything"));
        m_window->showServer(QStringLiteral("everything"));
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("everything"));
        Policy edited = *s->document()->policy();
        policyedit::setToolState(edited, QStringLiteral("echo"), policyedit::ToolState::Deny);
        s->document()->setPolicy(edited, QStringLiteral("Deny echo"));
        QVERIFY(editor->save());
        QJsonObject refused = sdkCall(QStringLiteral("everything"), QStringLiteral("echo"),
                                      QJsonObject{{QStringLiteral("message"), QStringLiteral("hi")}});
        QVERIFY2(!text(refused).contains(u"Echo: hi") && text(refused).contains(u"isError"),
                 qPrintable(text(refused)));

        // Quit and start again on the same files: both servers are back, echo is still refused.
        QVERIFY(QSettings().value(QStringLiteral("servers/sandbox")).toBool()); // set when it was added
        stopApp();
        startApp();
        QVERIFY(served(QStringLiteral("everything")));
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("everything"))->isReachable(), 20000);
        refused = sdkCall(QStringLiteral("everything"), QStringLiteral("echo"),
                          QJsonObject{{QStringLiteral("message"), QStringLiteral("hi")}});
        QVERIFY2(!text(refused).contains(u"Echo: hi") && text(refused).contains(u"isError"),
                 qPrintable(text(refused)));
        const QJsonObject sum = sdkCall(QStringLiteral("everything"), QStringLiteral("get-sum"),
                                        QJsonObject{{QStringLiteral("a"), 2}, {QStringLiteral("b"), 3}});
        QVERIFY2(text(sum).contains(u"is 5"), qPrintable(text(sum)));
    }

    void stopStartAndRemove()
    {
        QVERIFY2(served(QStringLiteral("everything")), qPrintable(m_log.join(u'\n')));
        m_window->showServer(QStringLiteral("everything"));
        m_window->tabs()->setCurrentIndex(MainWindow::ServerTab);
        UpstreamServer* u = served(QStringLiteral("everything"))->upstream();
        QTest::mouseClick(m_window->serverPane()->button(QStringLiteral("stop")), Qt::LeftButton);
        QCOMPARE(u->state(), UpstreamServer::State::Stopped);
        QVERIFY(m_window->serverPane()->statusLabel()->text().contains(u"stopped"));
        const QJsonObject stopped = sdkCall(QStringLiteral("everything"), QStringLiteral("get-sum"), {});
        QVERIFY2(text(stopped).contains(u"stopped in Gatehouse"), qPrintable(text(stopped)));
        QTest::mouseClick(m_window->serverPane()->button(QStringLiteral("start")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(u->state(), UpstreamServer::State::Running, 10000);
        const QJsonObject sum = sdkCall(QStringLiteral("everything"), QStringLiteral("get-sum"),
                                        QJsonObject{{QStringLiteral("a"), 1}, {QStringLiteral("b"), 1}});
        QVERIFY2(text(sum).contains(u"is 2"), qPrintable(text(sum)));

        whenModal<QMessageBox>([](QMessageBox* box) { box->button(QMessageBox::Yes)->click(); });
        m_window->removeServer();
        QTRY_VERIFY(!served(QStringLiteral("everything")));
        Diagnostics errors;
        QVERIFY(!Config::load(configPath(), &errors)->servers.contains(QStringLiteral("everything")));
        QVERIFY(served(QStringLiteral("rolli-sandbox"))->isReachable());
        const QJsonObject gone = sdkCall(QStringLiteral("everything"), QStringLiteral("get-sum"), {});
        QVERIFY2(text(gone).contains(u"no MCP server at /mcp/everything"), qPrintable(text(gone)));
    }

    void aServerWithoutAPolicySaysSoAndSaveFixesIt()
    {
        // As `gatehouse --policy missing.json -- node everything` would, before this was fixed: no policy.
        stopApp();
        ServerConfig bare;
        bare.command = QStringList{Node, Everything, QStringLiteral("stdio")};
        startApp({{QStringLiteral("bare"), bare}});
        m_window->showServer(QStringLiteral("bare"));
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("bare"))->isReachable(), 20000);
        QVERIFY(!served(QStringLiteral("bare"))->hasPolicy());
        QVERIFY(m_window->policyBanner()->isVisible());
        QJsonObject refused = sdkCall(QStringLiteral("bare"), QStringLiteral("echo"),
                                      QJsonObject{{QStringLiteral("message"), QStringLiteral("x")}});
        QVERIFY2(text(refused).contains(u"isError"), qPrintable(text(refused)));

        // Apply recommended, Save, pick a file: in force from the next call.
        m_window->tabs()->setCurrentIndex(MainWindow::PolicyTab);
        PolicyEditor* editor = m_window->policyEditor(QStringLiteral("bare"));
        for (QAction* a : editor->findChildren<QAction*>())
            if (a->text() == u"Apply &recommended policy")
                a->trigger();
        QVERIFY(served(QStringLiteral("bare"))->document()->isModified());
        const QString picked = m_dir.filePath(QStringLiteral("picked.json"));
        whenModal<QFileDialog>([picked](QFileDialog* d) {
            // As a person types the name and presses Enter, once the dialog has settled.
            QTimer::singleShot(300, d, [d, picked] {
                d->setDirectory(QFileInfo(picked).absolutePath());
                if (auto* name = d->findChild<QLineEdit*>(QStringLiteral("fileNameEdit")))
                    name->setText(QFileInfo(picked).fileName());
                QMetaObject::invokeMethod(d, "accept");
                if (d->isVisible()) // fail, not hang
                    d->reject();
            });
        });
        QVERIFY(editor->save());
        QVERIFY(served(QStringLiteral("bare"))->hasPolicy());
        QVERIFY(!m_window->policyBanner()->isVisible());
        const QJsonObject echo = sdkCall(QStringLiteral("bare"), QStringLiteral("echo"),
                                         QJsonObject{{QStringLiteral("message"), QStringLiteral("x")}});
        QVERIFY2(text(echo).contains(u"Echo: x"), qPrintable(text(echo)));
    }

    void guardAClaudeDesktopServerAndUnguardIt()
    {
        stopApp();
        const QString claude = m_dir.filePath(QStringLiteral("config/Claude/claude_desktop_config.json"));
        QDir().mkpath(QFileInfo(claude).absolutePath());
        const QByteArray original =
            QStringLiteral("{\n"
                           "  \"mcpServers\": {\n"
                           "    \"everything\": {\n"
                           "      \"command\": \"%1\",\n"
                           "      \"args\": [\"%2\", \"stdio\"]\n"
                           "    },\n"
                           "    \"notes\": { \"command\": \"npx\", \"args\": [\"-y\", \"notes-mcp\"] }\n"
                           "  },\n"
                           "  \"globalShortcut\": \"Ctrl+Space\"\n"
                           "}\n")
                .arg(Node, Everything)
                .toUtf8();
        {
            QFile f(claude);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(original);
        }
        startApp();
        QStringList problems; // checked once the dialog is closed: a failure inside would leave it open
        whenModal<ImportDialog>([&problems](ImportDialog* d) {
            auto expect = [&problems](bool ok, const QString& what) {
                if (!ok)
                    problems << what;
            };
            expect(d->entries()->count() == 2, QStringLiteral("two entries listed"));
            QListWidgetItem* everything = d->entries()->item(0);
            expect(everything && everything->data(Qt::UserRole).toString() == u"everything",
                   QStringLiteral("everything first"));
            if (everything)
                everything->setCheckState(Qt::Checked);
            // The change is shown before anything is written.
            const QString preview = d->preview()->toPlainText();
            expect(preview.contains(u"+ ") && preview.contains(u"\"globalShortcut\""), preview);
            expect(d->guardButton()->isEnabled(), QStringLiteral("Guard enabled"));
            d->resize(900, 640);
            QCoreApplication::processEvents();
            if (QDir().mkpath(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR)))
                d->grab().save(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR "/guard-dialog.png"));
            d->guardButton()->click();
            expect(d->message()->text().contains(u"through Gatehouse"), d->message()->text());
            expect(d->entries()->item(0)->text().contains(u"already through Gatehouse"),
                   d->entries()->item(0)->text());
            d->reject();
        });
        m_window->importServers();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("everything")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("everything"))->hasPolicy(), 20000);

        // Start the new entry the way Claude Desktop does: its command, on stdio, with its environment.
        QFile f(claude);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray guarded = f.readAll();
        f.close();
        QVERIFY(guarded.contains("\"notes\": { \"command\": \"npx\", \"args\": [\"-y\", \"notes-mcp\"] }"));
        QVERIFY(guarded.endsWith("  \"globalShortcut\": \"Ctrl+Space\"\n}\n"));
        const QJsonObject entry =
            QJsonDocument::fromJson(guarded).object()[u"mcpServers"][u"everything"].toObject();
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QJsonObject entryEnv = entry[u"env"].toObject();
        for (auto it = entryEnv.begin(); it != entryEnv.end(); ++it)
            env.insert(it.key(), it.value().toString());
        QVERIFY(env.contains(QStringLiteral("GATEHOUSE_TOKEN")));
        // The entry names this test's proxy by its port.
        QStringList args;
        for (const QJsonValue& a : entry[u"args"].toArray())
            args << a.toString().replace(QStringLiteral("127.0.0.1:8731"), m_proxy->baseUrl().mid(7));
        child.setProcessEnvironment(env);
        child.start(entry[u"command"].toString(), args);
        QVERIFY(child.waitForStarted());
        auto send = [&child](const QJsonObject& m) {
            child.write(QJsonDocument(m).toJson(QJsonDocument::Compact) + '\n');
        };
        auto receive = [&child](int id) {
            QJsonObject found;
            (void)QTest::qWaitFor( // an empty `found` fails the caller
                [&] {
                    while (child.canReadLine()) {
                        const QJsonObject m = QJsonDocument::fromJson(child.readLine()).object();
                        if (m.value(u"id").toInt() == id)
                            found = m;
                    }
                    return !found.isEmpty();
                },
                20000);
            return found;
        };
        send({{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
              {QStringLiteral("id"), 1},
              {QStringLiteral("method"), QStringLiteral("initialize")},
              {QStringLiteral("params"),
               QJsonObject{{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
                           {QStringLiteral("capabilities"), QJsonObject()},
                           {QStringLiteral("clientInfo"),
                            QJsonObject{{QStringLiteral("name"), QStringLiteral("claude-ai")},
                                        {QStringLiteral("version"), QStringLiteral("0.1")}}}}}});
        QVERIFY2(receive(1).contains(u"result"), "initialize through the bridge");
        send({{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
              {QStringLiteral("method"), QStringLiteral("notifications/initialized")}});
        send({{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
              {QStringLiteral("id"), 2},
              {QStringLiteral("method"), QStringLiteral("tools/call")},
              {QStringLiteral("params"),
               QJsonObject{{QStringLiteral("name"), QStringLiteral("get-sum")},
                           {QStringLiteral("arguments"),
                            QJsonObject{{QStringLiteral("a"), 20}, {QStringLiteral("b"), 22}}}}}});
        const QJsonObject answer = receive(2);
        QVERIFY2(text(answer).contains(u"is 42"), qPrintable(text(answer)));
        child.closeWriteChannel();
        child.waitForFinished(5000);
        // In Live calls: who asked, with which grant.
        CallTableModel* calls = m_window->callModel();
        QTRY_VERIFY(calls->rowCount() >= 1);
        const auto record = calls->record(calls->rowCount() - 1);
        QVERIFY(record);
        QCOMPARE(record->tool, QStringLiteral("get-sum"));
        QCOMPARE(record->grant, QStringLiteral("claude-everything"));
        QVERIFY2(record->client.startsWith(u"claude-ai"), qPrintable(record->client));

        // Unguard: the person's file comes back byte for byte, and the server goes.
        m_window->showServer(QStringLiteral("everything"));
        QVERIFY(
            m_window->serverPane()->button(QStringLiteral("unguard"))->isVisibleTo(m_window->serverPane()));
        whenModal<QMessageBox>([](QMessageBox* box) { box->button(QMessageBox::Yes)->click(); });
        m_window->unguardServer();
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), original);
        QTRY_VERIFY(!served(QStringLiteral("everything")));
    }

    void aServerThatCannotStartSaysWhy()
    {
        whenModal<ServerDialog>([this](ServerDialog* d) {
            d->nameField()->setText(QStringLiteral("broken"));
            d->commandField()->setText(m_dir.filePath(QStringLiteral("no-such-server")));
            d->accept();
        });
        m_window->addServer();
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("broken")), 5000);
        QCOMPARE(m_window->serverPane()->server(), served(QStringLiteral("broken")));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->serverPane()->statusLabel()->text().contains(u"cannot start"),
                                 10000);
        QVERIFY2(m_window->serverPane()->statusLabel()->text().contains(u"no-such-server"),
                 qPrintable(m_window->serverPane()->statusLabel()->text()));
        QVERIFY(!served(QStringLiteral("broken"))->isReachable());
        // The others keep serving.
        const QJsonObject sum = sdkCall(QStringLiteral("rolli-sandbox"), QStringLiteral("get_usage"), {});
        QVERIFY2(text(sum).contains(u"credits"), qPrintable(text(sum)));
        whenModal<QMessageBox>([](QMessageBox* box) { box->button(QMessageBox::Yes)->click(); });
        m_window->removeServer();
        QTRY_VERIFY(!served(QStringLiteral("broken")));
    }

    void aConfigurationEditedOnDisk()
    {
        Diagnostics errors;
        Config config = *Config::load(configPath(), &errors);
        ServerConfig disk;
        disk.command = QStringList{QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")};
        config.servers.insert(QStringLiteral("disk"), disk);
        QString why;
        QVERIFY(config.save(configPath(), &why));
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("disk")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("disk"))->isReachable(), 15000);
        QVERIFY(m_log.join(u'\n').contains(u"servers from the configuration: added disk"));
        // Its policy is being edited when its entry changes: it restarts, and the edits stay.
        QTRY_VERIFY_WITH_TIMEOUT(served(QStringLiteral("disk"))->hasPolicy(), 15000);
        {
            ServedServer* s = served(QStringLiteral("disk"));
            Policy edited = *s->document()->policy();
            policyedit::setToolState(edited, QStringLiteral("get_usage"), policyedit::ToolState::Deny);
            s->document()->setPolicy(edited, QStringLiteral("Deny get_usage"));
        }
        const QPointer<ServedServer> before = served(QStringLiteral("disk"));
        config = *Config::load(configPath(), &errors);
        ServerConfig changed = config.servers.value(QStringLiteral("disk"));
        changed.env.insert(QStringLiteral("MODE"), QStringLiteral("two"));
        config.servers.insert(QStringLiteral("disk"), changed);
        QVERIFY(config.save(configPath(), &why));
        QTRY_VERIFY_WITH_TIMEOUT(!before && served(QStringLiteral("disk")), 5000);
        QVERIFY(m_log.join(u'\n').contains(u"changed disk"));
        QVERIFY(served(QStringLiteral("disk"))->document()->isModified());
        const auto& carried = served(QStringLiteral("disk"))->document()->policy();
        QVERIFY(carried && carried->tools &&
                carried->tools->value(QStringLiteral("get_usage")).action == ToolAction::Deny);
        // Broken: nothing changes, and the log says why.
        {
            QFile f(configPath());
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("{\"version\": \"1\", \"servers\": {\"disk\": {}}}");
        }
        QTRY_VERIFY_WITH_TIMEOUT(m_log.join(u'\n').contains(u"is invalid; keeping the last good one"), 5000);
        QVERIFY(served(QStringLiteral("disk")));
        config.servers.remove(QStringLiteral("disk"));
        QVERIFY(config.save(configPath(), &why));
        QTRY_VERIFY_WITH_TIMEOUT(!served(QStringLiteral("disk")), 5000);
        QVERIFY(served(QStringLiteral("rolli-sandbox")));
        stopApp();
    }
};

QTEST_MAIN(TestServers)
#include "tst_servers.moc"
