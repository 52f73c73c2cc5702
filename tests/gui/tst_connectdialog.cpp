// SPDX-License-Identifier: GPL-3.0-or-later
// "Connect a client": the diff before writing, other entries kept, a backup, a grant of the client's own
// whose token really authenticates, broken files left alone, and no grant left behind by a failed write.
#include "ConnectClientDialog.h"
#include "config/Config.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;
using Client = ClientConfigFile::Client;

namespace {
// Not JSON: cut off in the middle of an object.
const QByteArray BrokenFile = QByteArrayLiteral("{ \"mcpServers\": { oops");

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void writeFile(const QString& path, const QByteArray& text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

QByteArray bearerOf(const QJsonObject& entry)
{
    return entry[QStringLiteral("headers")][QStringLiteral("Authorization")].toString().mid(7).toUtf8();
}

Config loadConfig(const QString& path)
{
    Diagnostics errors;
    std::optional<Config> c = Config::load(path, &errors);
    return c ? *c : Config();
}
} // namespace

class TestConnectDialog : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_target.serverName = QStringLiteral("rolli-sandbox");
        m_target.url = QStringLiteral("http://127.0.0.1:8731/mcp/rolli-sandbox");
        m_target.bridgeProgram = QStringLiteral("/usr/bin/gatehouse");
        m_target.configPath = m_dir->filePath(QStringLiteral("gatehouse/config.json"));
        m_target.launchToken = QStringLiteral("launch-token-123");
    }

    void writesIntoCursorWithAGrantOfItsOwn()
    {
        const QString path = m_dir->filePath(QStringLiteral("mcp.json"));
        writeFile(path, "{\"mcpServers\": {\"github\": {\"url\": \"https://example.invalid/mcp\"}}, "
                        "\"theme\": \"dark\"}");
        ConnectClientDialog dialog(m_target);
        QSignalSpy issued(&dialog, &ConnectClientDialog::grantIssued);
        dialog.setClient(Client::Cursor);
        dialog.setClientConfigPath(path);
        // The diff first: our entry added, with a stand-in for a token that does not exist yet.
        QVERIFY2(dialog.preview().contains(QStringLiteral("+ ")), qPrintable(dialog.preview()));
        QVERIFY(dialog.preview().contains(QStringLiteral("gatehouse-rolli-sandbox")));
        QVERIFY(dialog.preview().contains(QStringLiteral("<new token of grant cursor>")));
        QVERIFY(loadConfig(m_target.configPath).grants.isEmpty()); // nothing made by looking
        QVERIFY(dialog.canWrite());

        QVERIFY2(dialog.writeConfig(), qPrintable(dialog.status()));
        QCOMPARE(issued.count(), 1);
        QCOMPARE(issued.at(0).at(0).toString(), QStringLiteral("cursor"));
        const QJsonObject written = readJson(path);
        QCOMPARE(written[QStringLiteral("theme")].toString(), QStringLiteral("dark"));
        const QJsonObject servers = written[QStringLiteral("mcpServers")].toObject();
        QVERIFY(servers.contains(QStringLiteral("github")));
        const QJsonObject ours = servers[QStringLiteral("gatehouse-rolli-sandbox")].toObject();
        QCOMPARE(ours[QStringLiteral("url")].toString(), m_target.url);
        // The token in the client's file is the grant's: the proxy will accept it, by that name.
        const QByteArray token = bearerOf(ours);
        QCOMPARE(token.size(), 43); // 32 random bytes, base64url
        const Config config = loadConfig(m_target.configPath);
        QCOMPARE(config.grantFor(m_target.serverName, token), QStringLiteral("cursor"));
        QVERIFY(config.grantFor(QStringLiteral("other"), token).isEmpty());
        QFile stored(m_target.configPath);
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QVERIFY(!stored.readAll().contains(token)); // only its hash
        // The old file is kept, and the status says where.
        const QStringList backups = QDir(m_dir->path()).entryList({QStringLiteral("mcp.json.bak-*")});
        QCOMPARE(backups.size(), 1);
        QVERIFY(dialog.status().contains(backups.first()));
        QVERIFY(dialog.status().contains(QStringLiteral("Restart Cursor")));
        QVERIFY(!dialog.canWrite());

        // A second client of the same kind gets its own grant; the first stays valid.
        ConnectClientDialog again(m_target);
        again.setClient(Client::Cursor);
        again.setClientConfigPath(path);
        QVERIFY(again.preview().contains(QStringLiteral("<new token of grant cursor-2>")));
        QVERIFY(again.writeConfig());
        const Config both = loadConfig(m_target.configPath);
        QCOMPARE(both.grants.size(), 2);
        QCOMPARE(both.grantFor(m_target.serverName, token), QStringLiteral("cursor"));
        const QByteArray second =
            bearerOf(readJson(path)[QStringLiteral("mcpServers")][QStringLiteral("gatehouse-rolli-sandbox")]
                         .toObject());
        QCOMPARE(both.grantFor(m_target.serverName, second), QStringLiteral("cursor-2"));
    }

    void claudeDesktopLaunchesTheBridge()
    {
        const QString path = m_dir->filePath(QStringLiteral("claude_desktop_config.json"));
        ConnectClientDialog dialog(m_target);
        dialog.setClient(Client::ClaudeDesktop);
        dialog.setClientConfigPath(path);
        QVERIFY(dialog.status().contains(QStringLiteral("will be created")));
        QVERIFY(dialog.writeConfig());
        const QJsonObject entry =
            readJson(path)[QStringLiteral("mcpServers")][QStringLiteral("gatehouse-rolli-sandbox")]
                .toObject();
        QCOMPARE(entry[QStringLiteral("command")].toString(), m_target.bridgeProgram);
        const QJsonArray args = entry[QStringLiteral("args")].toArray();
        // The token is in the bridge's environment, not on its command line (where ps shows it).
        QCOMPARE(args.size(), 2);
        QCOMPARE(args[0].toString(), QStringLiteral("connect"));
        QCOMPARE(args[1].toString(), m_target.url);
        const QString token = entry[QStringLiteral("env")][QStringLiteral("GATEHOUSE_TOKEN")].toString();
        QVERIFY(!token.isEmpty());
        QCOMPARE(loadConfig(m_target.configPath).grantFor(m_target.serverName, token.toUtf8()),
                 QStringLiteral("claude-desktop"));
        QVERIFY(QDir(m_dir->path()).entryList({QStringLiteral("*.bak-*")}).isEmpty()); // nothing to back up
    }

    void withoutAGrantTheLaunchTokenIsUsedAndTheDialogSaysSo()
    {
        const QString path = m_dir->filePath(QStringLiteral("vscode-mcp.json"));
        ConnectClientDialog dialog(m_target);
        dialog.setClient(Client::VsCode);
        dialog.setClientConfigPath(path);
        dialog.setUseGrant(false);
        QVERIFY(dialog.preview().contains(m_target.launchToken));
        QVERIFY(dialog.findChild<QLabel*>() != nullptr);
        bool warned = false;
        for (const QLabel* l : dialog.findChildren<QLabel*>())
            warned = warned || l->text().contains(QStringLiteral("changes each time Gatehouse starts"));
        QVERIFY(warned);
        QVERIFY(dialog.writeConfig());
        const QJsonObject entry =
            readJson(path)[QStringLiteral("servers")][QStringLiteral("gatehouse-rolli-sandbox")].toObject();
        QCOMPARE(entry[QStringLiteral("type")].toString(), QStringLiteral("http"));
        QCOMPARE(bearerOf(entry), m_target.launchToken.toUtf8());
        QVERIFY(loadConfig(m_target.configPath).grants.isEmpty());
    }

    void aBrokenFileIsLeftAloneButTheSnippetCanBeCopied()
    {
        const QString path = m_dir->filePath(QStringLiteral("broken.json"));
        writeFile(path, BrokenFile);
        ConnectClientDialog dialog(m_target);
        dialog.setClient(Client::Cursor);
        dialog.setClientConfigPath(path);
        QVERIFY(!dialog.canWrite());
        QVERIFY2(dialog.preview().contains(QStringLiteral("not a JSON object")),
                 qPrintable(dialog.preview()));
        QVERIFY(!dialog.writeConfig());
        QVERIFY(dialog.copySnippet());
        const QJsonObject snippet =
            QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8()).object();
        const QJsonObject entry =
            snippet[QStringLiteral("mcpServers")][QStringLiteral("gatehouse-rolli-sandbox")].toObject();
        QCOMPARE(entry[QStringLiteral("url")].toString(), m_target.url);
        QCOMPARE(loadConfig(m_target.configPath).grantFor(m_target.serverName, bearerOf(entry)),
                 QStringLiteral("cursor"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), BrokenFile); // untouched
    }

    void aFailedWriteLeavesNoGrantBehind()
    {
        // The "directory" is a file: the client's config cannot be written there.
        const QString blocker = m_dir->filePath(QStringLiteral("not-a-dir"));
        writeFile(blocker, "x");
        ConnectClientDialog dialog(m_target);
        dialog.setClient(Client::Cursor);
        dialog.setClientConfigPath(blocker + QStringLiteral("/mcp.json"));
        QVERIFY(dialog.canWrite()); // nothing there yet: it looks like a new file
        QVERIFY(!dialog.writeConfig());
        QVERIFY2(dialog.status().contains(QStringLiteral("cannot")), qPrintable(dialog.status()));
        QVERIFY(loadConfig(m_target.configPath).grants.isEmpty());
    }

    void invalidGrantNameIsRefused()
    {
        ConnectClientDialog dialog(m_target);
        dialog.setClient(Client::Cursor);
        dialog.setClientConfigPath(m_dir->filePath(QStringLiteral("mcp.json")));
        auto* label = dialog.findChildren<QLineEdit*>().value(1);
        QVERIFY(label);
        label->setText(QStringLiteral("my laptop"));
        QVERIFY(!dialog.canWrite());
        QVERIFY(dialog.status().contains(QStringLiteral("grant name")));
        label->setText(QStringLiteral("my-laptop"));
        QVERIFY(dialog.canWrite());
    }

    void screenshot()
    {
        const QString path = m_dir->filePath(QStringLiteral("mcp.json"));
        writeFile(path, "{\"mcpServers\": {\"github\": {\"url\": \"https://example.invalid/mcp\"}}}");
        ConnectClientDialog dialog(m_target);
        dialog.setClient(Client::Cursor);
        dialog.setClientConfigPath(path);
        dialog.resize(760, 560);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QDir().mkpath(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR));
        QVERIFY(dialog.grab().save(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR "/connect-client.png")));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    ConnectClientDialog::Target m_target;
};

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"
