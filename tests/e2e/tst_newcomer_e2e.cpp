// SPDX-License-Identifier: GPL-3.0-or-later
// A newcomer's first hour, in order, on one HOME kept across runs as a person's machine keeps it: the
// README's first five minutes on the Rolli sandbox, then step 4's server-everything, then the sandbox
// again, then --preset rolli-sandbox, then a server of their own in the configuration. Each run is
// `gatehouse serve` with its default data folders, and each time the official SDK client, at its default
// options, lists every tool and gets a call answered. Nothing is carried over by hand between runs.
#include "E2eSupport.h"

#include <QDir>
#include <QFileInfo>

using namespace e2e;

namespace {
const QString Token = QStringLiteral("newcomer-token-0123456789");

struct SdkRun
{
    QStringList tools;
    QJsonObject result;
    QString error;
};
} // namespace

class TestNewcomerE2E : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;

    // The environment of a person's shell: their HOME, the XDG defaults under it, no keychain.
    QProcessEnvironment personsEnvironment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* v : {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                              "DBUS_SESSION_BUS_ADDRESS", "GATEHOUSE_TEST_KEYCHAIN"})
            env.remove(QString::fromLatin1(v));
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_home.filePath(QStringLiteral("run")));
        env.insert(QStringLiteral("GATEHOUSE_TOKEN"), Token); // as scripts/run.sh passes it
        return env;
    }

    // Starts `gatehouse serve ARGS` on a free port; returns its port, or 0 with the log in `log`.
    quint16 serve(QProcess& proxy, const QStringList& args, QByteArray* log)
    {
        proxy.setProcessEnvironment(personsEnvironment());
        proxy.setWorkingDirectory(m_home.path());
        proxy.setProcessChannelMode(QProcess::MergedChannels);
        proxy.start(Gatehouse, QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                                           QStringLiteral("127.0.0.1:0")} +
                                   args);
        static const QRegularExpression listening(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)/mcp"));
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 30'000 && proxy.state() != QProcess::NotRunning) {
            proxy.waitForReadyRead(200);
            *log += proxy.readAll();
            if (const auto m = listening.match(QString::fromUtf8(*log)); m.hasMatch())
                return quint16(m.captured(1).toUInt());
        }
        return 0;
    }

    SdkRun sdk(const QString& url, const QString& tool, const QByteArray& arguments = "{}")
    {
        const NodeRun node = runNode({E2eDir + QStringLiteral("/newcomer-client.mjs"), url, Token, tool,
                                      QString::fromUtf8(arguments)});
        SdkRun run;
        if (!node.finished) {
            run.error = QStringLiteral("the SDK client did not finish");
            return run;
        }
        const QJsonObject& out = node.output;
        run.error = out.value(QStringLiteral("fatal")).toString();
        if (out.isEmpty())
            run.error = node.stderrText;
        for (const QJsonValue& t : out.value(QStringLiteral("tools")).toArray())
            run.tools << t.toString();
        run.result = out.value(QStringLiteral("result")).toObject();
        return run;
    }

    static QString text(const SdkRun& run)
    {
        return run.result[QStringLiteral("content")][0][QStringLiteral("text")].toString();
    }

    // One run of the journey: serve, list, call, stop.
    SdkRun step(const QStringList& serveArgs, const QString& path, const QString& tool,
                const QByteArray& arguments = "{}")
    {
        QProcess proxy;
        QByteArray log;
        const quint16 port = serve(proxy, serveArgs, &log);
        SdkRun run;
        if (port == 0) {
            run.error = QStringLiteral("gatehouse serve did not start: ") + QString::fromUtf8(log);
        } else {
            run = sdk(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path), tool, arguments);
            if (!run.error.isEmpty())
                run.error += QStringLiteral("\nproxy log:\n") + QString::fromUtf8(log + proxy.readAll());
        }
        proxy.terminate();
        if (!proxy.waitForFinished(10'000))
            proxy.kill();
        return run;
    }

private slots:
    void oneHomeAcrossAFirstHour()
    {
        QVERIFY(QDir(m_home.path()).mkdir(QStringLiteral("run")));
        QFile::setPermissions(m_home.filePath(QStringLiteral("run")),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        const QString recommended =
            QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json");
        const QStringList sandbox{QStringLiteral("--policy"), recommended, QStringLiteral("--"), Gatehouse,
                                  QStringLiteral("sandbox")};

        // 1. The README's first five minutes: the sandbox behind the recommended policy.
        const SdkRun first = step(sandbox, QStringLiteral("/mcp"), QStringLiteral("get_usage"));
        QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
        QVERIFY2(first.tools.contains(QStringLiteral("get_usage")), qPrintable(first.tools.join(u' ')));
        QVERIFY(!first.tools.contains(QStringLiteral("delete_agent_run"))); // hidden by the policy
        QVERIFY(first.tools.size() >= 20);
        QVERIFY2(!first.result[QStringLiteral("isError")].toBool(), qPrintable(text(first)));

        // 2. Step 4: the MCP reference server, under the same label ("default") in the same HOME.
        const SdkRun everythingRun =
            step({QStringLiteral("--policy"), policy(), QStringLiteral("--"), Node, everything(),
                  QStringLiteral("stdio")},
                 QStringLiteral("/mcp"), QStringLiteral("echo"), R"({"message":"hello from a newcomer"})");
        QVERIFY2(everythingRun.error.isEmpty(), qPrintable(everythingRun.error));
        QVERIFY2(everythingRun.tools.contains(QStringLiteral("echo")),
                 qPrintable(everythingRun.tools.join(u' ')));
        QVERIFY(everythingRun.tools.size() >= 5);
        QCOMPARE(text(everythingRun), QStringLiteral("Echo: hello from a newcomer"));

        // 3. The sandbox again: every tool of the first run, none held.
        const SdkRun again = step(sandbox, QStringLiteral("/mcp"), QStringLiteral("get_usage"));
        QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
        QCOMPARE(again.tools, first.tools);
        QVERIFY2(!again.result[QStringLiteral("isError")].toBool(), qPrintable(text(again)));

        // 4. The preset, which keeps its own copy of the recommended policy in the data folder.
        const SdkRun preset = step({QStringLiteral("--preset"), QStringLiteral("rolli-sandbox")},
                                   QStringLiteral("/mcp"), QStringLiteral("get_usage"));
        QVERIFY2(preset.error.isEmpty(), qPrintable(preset.error));
        QCOMPARE(preset.tools, first.tools);
        QVERIFY2(!preset.result[QStringLiteral("isError")].toBool(), qPrintable(text(preset)));

        // 5. A server of their own, written into the configuration.
        const QString configDir = m_home.filePath(QStringLiteral(".config/gatehouse"));
        QVERIFY(QDir().mkpath(configDir));
        const QString configPath = configDir + QStringLiteral("/config.json");
        QJsonObject config;
        if (QFile existing(configPath); existing.open(QIODevice::ReadOnly))
            config = QJsonDocument::fromJson(existing.readAll()).object();
        QJsonObject servers = config.value(QStringLiteral("servers")).toObject();
        servers.insert(
            QStringLiteral("mine"),
            QJsonObject{{QStringLiteral("command"), QJsonArray{Node, everything(), QStringLiteral("stdio")}},
                        {QStringLiteral("policy"), policy()}});
        config.insert(QStringLiteral("servers"), servers);
        config.insert(QStringLiteral("version"),
                      QStringLiteral("1")); // as docs/approvals-grants-audit.md shows
        {
            QFile out(configPath);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QJsonDocument(config).toJson());
        }
        const SdkRun mine =
            step({}, QStringLiteral("/mcp/mine"), QStringLiteral("echo"), R"({"message":"my own"})");
        QVERIFY2(mine.error.isEmpty(), qPrintable(mine.error));
        QCOMPARE(mine.tools, everythingRun.tools);
        QCOMPARE(text(mine), QStringLiteral("Echo: my own"));

        // What it keeps is the person's alone.
        const QString data = m_home.filePath(QStringLiteral(".local/share/gatehouse"));
        QVERIFY2(QFileInfo(data).isDir(), qPrintable(data));
        const auto others = QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                            QFileDevice::WriteOther | QFileDevice::ExeGroup | QFileDevice::ExeOther;
        QCOMPARE(int(QFileInfo(data).permissions() & others), 0);
        QVERIFY(QFileInfo::exists(data + QStringLiteral("/audit.sqlite")));
        QCOMPARE(int(QFileInfo(data + QStringLiteral("/audit.sqlite")).permissions() & others), 0);

        // And the pins it kept say which server each set belongs to.
        QProcess list;
        list.setProcessEnvironment(personsEnvironment());
        list.start(Gatehouse, {QStringLiteral("pins"), QStringLiteral("list")});
        QVERIFY(list.waitForFinished(10'000));
        const QString pins = QString::fromUtf8(list.readAllStandardOutput());
        QVERIFY2(pins.contains(QStringLiteral("sandbox")) && pins.contains(QStringLiteral("index.js")),
                 qPrintable(pins));
        QVERIFY2(pins.contains(QStringLiteral("no tools are held")), qPrintable(pins));
    }

    void aLooseDataFolderIsMadePrivate()
    {
        // A folder from an older version (0755, log 0644) is repaired when the proxy starts.
        const QString data = m_home.filePath(QStringLiteral(".local/share/gatehouse"));
        QVERIFY(QDir().mkpath(data));
        QFile::setPermissions(data, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                        QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                                        QFileDevice::ReadOther | QFileDevice::ExeOther);
        if (QFile log(data + QStringLiteral("/audit.sqlite")); !log.exists()) {
            QVERIFY(log.open(QIODevice::WriteOnly));
            log.close();
        }
        QFile::setPermissions(data + QStringLiteral("/audit.sqlite"),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                  QFileDevice::ReadOther);
        QProcess proxy;
        QByteArray log;
        QVERIFY2(serve(proxy, {QStringLiteral("--"), Gatehouse, QStringLiteral("sandbox")}, &log) != 0,
                 log.constData());
        proxy.terminate();
        proxy.waitForFinished(10'000);
        const auto others =
            QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::ExeGroup | QFileDevice::ExeOther;
        QCOMPARE(int(QFileInfo(data).permissions() & others), 0);
        QCOMPARE(int(QFileInfo(data + QStringLiteral("/audit.sqlite")).permissions() & others), 0);
        QVERIFY2(log.contains("made private"), log.constData());
    }
};

QTEST_GUILESS_MAIN(TestNewcomerE2E)
#include "tst_newcomer_e2e.moc"
