// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the real gatehouse binary: exit codes and exactly what a person sees.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void checkValid();
    void checkInvalidPrintsEveryError();
    void checkSyntaxError();
    void checkUsage();
    void checkMissingFile();
    void explainLimitBites();
    void explainApproval();
    void explainBadArguments_data();
    void explainBadArguments();
    void explainInvalidPolicy();
    void versionAndHelp();
    void unknownCommand();
    void everyCommandHasHelp_data();
    void everyCommandHasHelp();
    void rolliTokenComesFromTheEnvironmentAndIsNeverPrinted();
    void rolliPresetWithoutATokenSaysHowToGiveOne();
    void connectInstallMergesIntoAClientConfig();
    void connectInstallLeavesABrokenConfigAlone();
    void noAuthIsRefusedOffLoopback();

private:
    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Result run(const QStringList& args,
               const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment());
    QString write(const QByteArray& content);

    QTemporaryDir m_dir;
    int m_files = 0;
};

void TestCli::init()
{
    QVERIFY(m_dir.isValid());
}

TestCli::Result TestCli::run(const QStringList& args, const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(GATEHOUSE_BINARY), args);
    if (!p.waitForFinished(30'000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString TestCli::write(const QByteArray& content)
{
    const QString path = m_dir.filePath(QStringLiteral("policy-%1.json").arg(++m_files));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(content);
    return path;
}

void TestCli::checkValid()
{
    const Result r = run({QStringLiteral("check"),
                          QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/rolli-rerun-agent-run.json")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("valid\n"));
}

void TestCli::checkInvalidPrintsEveryError()
{
    const QString path =
        write("{\n  \"version\": \"1\",\n  \"default\": \"deny\",\n  \"tools\": {\n"
              "    \"x\": {\"limit\": [], \"limits\": [{\"counter\": \"c\", \"window\": \"minute\", "
              "\"max\": 0}]}\n  }\n}\n");
    const Result r = run({QStringLiteral("check"), path});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out,
             QStringLiteral(
                 "/tools/x/limit (5:11): unknown field \"limit\"; did you mean \"limits\"?\n"
                 "/tools/x/limits/0/max (5:79): \"max\" must be a whole number greater than 0, not 0\n"));
}

void TestCli::checkSyntaxError()
{
    const Result r =
        run({QStringLiteral("check"), write("{\"version\": \"1\",\n \"default\": \"deny\",\n}")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QStringLiteral("/ (3:1): trailing comma before '}'\n"));
}

void TestCli::checkUsage()
{
    const Result r = run({QStringLiteral("check")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.startsWith(u"usage: gatehouse check"));
}

void TestCli::checkMissingFile()
{
    const Result r = run({QStringLiteral("check"), m_dir.filePath(QStringLiteral("nope.json"))});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.startsWith(u"/: cannot read "), qPrintable(r.out));
}

void TestCli::explainLimitBites()
{
    const Result r =
        run({QStringLiteral("explain"),
             QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json"),
             QStringLiteral("--tool"), QStringLiteral("rerun_agent_run"), QStringLiteral("--args"),
             QStringLiteral("{\"id\": 42}"), QStringLiteral("--calls"), QStringLiteral("11"),
             QStringLiteral("--at"), QStringLiteral("2026-01-01T12:00:20Z")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 12);
    QCOMPARE(lines.at(0), QStringLiteral("call   1  allowed       (no rule)"));
    QCOMPARE(lines.at(9), QStringLiteral("call  10  allowed       (no rule)"));
    QCOMPARE(lines.at(10),
             QStringLiteral("call  11  limited       /tools/rerun_agent_run/limits/0  Rate limit reached for "
                            "rerun_agent_run: 10 per minute (counter rerun_agent_run_rate). Retry in 40 s."));
    QCOMPARE(lines.at(11), QStringLiteral("10 allowed, 1 limited"));
}

void TestCli::explainApproval()
{
    const QString path =
        write(R"({"version":"1","default":"deny","tools":{"create_charge":{"action":"approve",
        "limits":[{"counter":"charges","window":"hour","max":2}]}}})");
    const QStringList base{QStringLiteral("explain"), path,
                           QStringLiteral("--tool"),  QStringLiteral("create_charge"),
                           QStringLiteral("--calls"), QStringLiteral("3")};
    const Result asked = run(base);
    QCOMPARE(asked.exitCode, 0);
    QVERIFY(asked.out.endsWith(u"3 needs-approval\n"));
    const Result approved = run(base + QStringList{QStringLiteral("--approve")});
    QCOMPARE(approved.exitCode, 0);
    QVERIFY2(approved.out.contains(u"call   1  approved      /tools/create_charge/action"),
             qPrintable(approved.out));
    QVERIFY2(approved.out.contains(u"call   3  limited       /tools/create_charge/limits/0"),
             qPrintable(approved.out));
    QVERIFY(approved.out.endsWith(u"2 approved, 1 limited\n"));
}

void TestCli::explainBadArguments_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("message");
    QTest::newRow("no tool") << QStringList() << "usage: gatehouse explain";
    QTest::newRow("args not json") << QStringList{QStringLiteral("--tool"), QStringLiteral("t"),
                                                  QStringLiteral("--args"), QStringLiteral("{x")}
                                   << "--args must be a JSON object";
    QTest::newRow("args an array") << QStringList{QStringLiteral("--tool"), QStringLiteral("t"),
                                                  QStringLiteral("--args"), QStringLiteral("[1]")}
                                   << "--args must be a JSON object";
    QTest::newRow("calls zero") << QStringList{QStringLiteral("--tool"), QStringLiteral("t"),
                                               QStringLiteral("--calls"), QStringLiteral("0")}
                                << "--calls must be a whole number";
    QTest::newRow("bad time") << QStringList{QStringLiteral("--tool"), QStringLiteral("t"),
                                             QStringLiteral("--at"), QStringLiteral("noon")}
                              << "--at must be an ISO 8601 time";
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--tool"), QStringLiteral("t"),
                                                   QStringLiteral("--frob")}
                                    << "Unknown option 'frob'";
}

void TestCli::explainBadArguments()
{
    QFETCH(QStringList, extra);
    QFETCH(QString, message);
    const Result r =
        run(QStringList{QStringLiteral("explain"),
                        QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json")} +
            extra);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

void TestCli::explainInvalidPolicy()
{
    const Result r = run({QStringLiteral("explain"), write(R"({"version":"1"})"), QStringLiteral("--tool"),
                          QStringLiteral("t")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, QStringLiteral("/default (1:1): \"default\" is required\n"));
}

void TestCli::versionAndHelp()
{
    const Result v = run({QStringLiteral("--version")});
    QCOMPARE(v.exitCode, 0);
    QVERIFY(v.out.startsWith(u"gatehouse "));
    const Result h = run({QStringLiteral("--help")});
    QCOMPARE(h.exitCode, 0);
    QVERIFY(h.out.contains(u"check POLICY.json"));
}

void TestCli::everyCommandHasHelp_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("option");
    for (const char* c : {"check", "explain", "serve", "approvals", "audit", "grants", "rolli", "secrets",
                          "sandbox", "scan", "gui", "connect", "servers"})
        QTest::newRow(c) << QString::fromLatin1(c) << QStringLiteral("--help");
    QTest::newRow("serve -h") << QStringLiteral("serve") << QStringLiteral("-h");
}

void TestCli::everyCommandHasHelp()
{
    QFETCH(QString, command);
    QFETCH(QString, option);
    // No display: gui --help must answer without starting the app.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    const Result r = run({command, option}, env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("usage: gatehouse ") + command), qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("gatehouse(1)")));
    // The overview names it too.
    QVERIFY(run({QStringLiteral("help")}).out.contains(QStringLiteral("\n  ") + command + u' '));
}

void TestCli::unknownCommand()
{
    const Result r = run({QStringLiteral("frobnicate")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.startsWith(u"gatehouse: unknown command \"frobnicate\""));
}

void TestCli::rolliTokenComesFromTheEnvironmentAndIsNeverPrinted()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ROLLI_API_TOKEN"), QStringLiteral("rk_live_0123456789abcdef"));
    const Result r = run({QStringLiteral("rolli"), QStringLiteral("token"), QStringLiteral("status")}, env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("from the environment")), qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("rk_l")));
    QVERIFY(!r.out.contains(QStringLiteral("0123456789abcdef")));
    QCOMPARE(run({QStringLiteral("rolli"), QStringLiteral("token")}, env).exitCode, 2);
}

void TestCli::rolliPresetWithoutATokenSaysHowToGiveOne()
{
    // No token in the environment and no keychain to ask (no session bus): refused, with the way out.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("ROLLI_API_TOKEN"));
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.path());
    const Result r = run({QStringLiteral("serve"), QStringLiteral("--preset"), QStringLiteral("rolli"),
                          QStringLiteral("--audit"), m_dir.filePath(QStringLiteral("audit.sqlite"))},
                         env);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("no Rolli API token: set ROLLI_API_TOKEN")), qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("gatehouse rolli token set")));
    const Result bad =
        run({QStringLiteral("serve"), QStringLiteral("--preset"), QStringLiteral("rollo")}, env);
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.err.contains(QStringLiteral("rolli or rolli-sandbox")));
}

void TestCli::connectInstallMergesIntoAClientConfig()
{
    // Cursor's file with a server and a setting of the person's own: both stay, ours is added.
    const QString path = m_dir.filePath(QStringLiteral("cursor-mcp.json"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"mcpServers": {"github": {"url": "https://example.invalid/mcp"}}, "theme": "dark"})");
    }
    const QStringList args{QStringLiteral("connect"),       QStringLiteral("http://127.0.0.1:8731/mcp"),
                           QStringLiteral("--token"),       QStringLiteral("tok-123"),
                           QStringLiteral("--install"),     QStringLiteral("cursor"),
                           QStringLiteral("--config-file"), path};
    const Result dry = run(args + QStringList{QStringLiteral("--dry-run")});
    QCOMPARE(dry.exitCode, 0);
    // Edited in place: the person's one-line layout stays one line, with our entry after theirs.
    QVERIFY2(dry.out.contains(
                 QStringLiteral("+ {\"mcpServers\": {\"github\": {\"url\": \"https://example.invalid/mcp\"}, "
                                "\"gatehouse\": {")),
             qPrintable(dry.out));
    QVERIFY2(dry.out.contains(QStringLiteral("}}, \"theme\": \"dark\"}")), qPrintable(dry.out));
    QVERIFY(dry.out.contains(QStringLiteral("dry run: nothing written")));
    QVERIFY(!QDir(m_dir.path()).entryList({QStringLiteral("cursor-mcp.json.bak-*")}).size());

    const Result wrote = run(args);
    QCOMPARE(wrote.exitCode, 0);
    QVERIFY2(wrote.out.contains(QStringLiteral("the old file is kept as")), qPrintable(wrote.out));
    QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral("cursor-mcp.json.bak-*")}).size(), 1);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(root[QStringLiteral("theme")].toString(), QStringLiteral("dark"));
    QCOMPARE(root[QStringLiteral("mcpServers")][QStringLiteral("github")][QStringLiteral("url")].toString(),
             QStringLiteral("https://example.invalid/mcp"));
    const QJsonObject ours = root[QStringLiteral("mcpServers")][QStringLiteral("gatehouse")].toObject();
    QCOMPARE(ours[QStringLiteral("url")].toString(), QStringLiteral("http://127.0.0.1:8731/mcp"));
    QCOMPARE(ours[QStringLiteral("headers")][QStringLiteral("Authorization")].toString(),
             QStringLiteral("Bearer tok-123"));
    // Again: nothing to do.
    QVERIFY(run(args).out.contains(QStringLiteral("already configured")));

    // Claude Desktop gets the bridge command; VS Code its "servers" key with type http.
    const QString claude = m_dir.filePath(QStringLiteral("claude.json"));
    QCOMPARE(run({QStringLiteral("connect"), QStringLiteral("--install"), QStringLiteral("claude"),
                  QStringLiteral("--config-file"), claude, QStringLiteral("--token"), QStringLiteral("t")})
                 .exitCode,
             0);
    QFile c(claude);
    QVERIFY(c.open(QIODevice::ReadOnly));
    const QJsonObject entry = QJsonDocument::fromJson(c.readAll())
                                  .object()[QStringLiteral("mcpServers")][QStringLiteral("gatehouse")]
                                  .toObject();
    QCOMPARE(entry[QStringLiteral("command")].toString(), QStringLiteral(GATEHOUSE_BINARY));
    QCOMPARE(entry[QStringLiteral("args")].toArray().first().toString(), QStringLiteral("connect"));
    const QString vscode = m_dir.filePath(QStringLiteral("vscode.json"));
    QCOMPARE(run({QStringLiteral("connect"), QStringLiteral("--install"), QStringLiteral("vscode"),
                  QStringLiteral("--config-file"), vscode})
                 .exitCode,
             0);
    QFile v(vscode);
    QVERIFY(v.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(v.readAll())
                 .object()[QStringLiteral("servers")][QStringLiteral("gatehouse")][QStringLiteral("type")]
                 .toString(),
             QStringLiteral("http"));
}

void TestCli::connectInstallLeavesABrokenConfigAlone()
{
    const QString path = m_dir.filePath(QStringLiteral("broken.json"));
    const QByteArray broken = R"({"mcpServers": {"a": 1,})";
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(broken);
    }
    const Result r = run({QStringLiteral("connect"), QStringLiteral("--install"), QStringLiteral("cursor"),
                          QStringLiteral("--config-file"), path});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("is not a JSON object")) &&
                 r.err.contains(QStringLiteral("left as it is")),
             qPrintable(r.err));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), broken);
    QCOMPARE(run({QStringLiteral("connect"), QStringLiteral("--install"), QStringLiteral("emacs")}).exitCode,
             2);
}

void TestCli::noAuthIsRefusedOffLoopback()
{
    // Another machine can send any Host header: without a token, every tool would be open to it.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    const Result r = run({QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0"),
                          QStringLiteral("--no-auth"), QStringLiteral("--"), QStringLiteral(GATEHOUSE_BINARY),
                          QStringLiteral("sandbox")},
                         env);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("any machine that reaches port")), qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("--no-auth-on-network-anyone-can-call-tools")));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
