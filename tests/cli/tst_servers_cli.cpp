// SPDX-License-Identifier: GPL-3.0-or-later
// `gatehouse servers`, run as a person would on a fresh machine: the real binary, a HOME of its own kept
// across the commands, the sandbox (this very program) as "my own server".
#include "json/JsoncText.h"
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using gatehouse::JsoncText;

class TestServersCli : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void addListRemove();
    void badInputIsRefusedWithTheReason();
    void aCredentialNeverReachesTheFile();
    void importGuardsInPlaceAndUnguardPutsTheBytesBack();
    void aBrokenClientFileIsLeftAlone();
    void dashDashOpensTheAppInFrontOfTheCommand();
    // Run inside a private keyring (with-keychain.sh); skipped without one.
    void guardKeepsCredentialsInTheKeychainOnly();

private:
    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Result run(const QStringList& args);
    QString configFile() const { return m_home->filePath(QStringLiteral("config/gatehouse/config.json")); }
    QJsonObject config() const;
    QByteArray read(const QString& path) const;
    void write(const QString& path, const QByteArray& text) const;

    std::unique_ptr<QTemporaryDir> m_home;
};

void TestServersCli::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
}

TestServersCli::Result TestServersCli::run(const QStringList& args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_home->path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    env.remove(QStringLiteral("GATEHOUSE_CONFIG"));
    // No keychain reachable (unless the test runs in a private one): a credential must then be
    // refused, not written down.
    if (!qEnvironmentVariableIsSet("GATEHOUSE_TEST_KEYCHAIN"))
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/bus"));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(GATEHOUSE_BINARY), args);
    if (!p.waitForFinished(60'000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QJsonObject TestServersCli::config() const
{
    return QJsonDocument::fromJson(read(configFile())).object();
}

QByteArray TestServersCli::read(const QString& path) const
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestServersCli::write(const QString& path, const QByteArray& text) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

void TestServersCli::addListRemove()
{
    QVERIFY(run({QStringLiteral("servers"), QStringLiteral("list")}).out.contains(u"no servers in"));

    const Result added =
        run({QStringLiteral("servers"), QStringLiteral("add"), QStringLiteral("mine"), QStringLiteral("--"),
             QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")});
    QCOMPARE(added.exitCode, 0);
    QVERIFY2(added.out.contains(u"a starter policy from its 30 tools"), qPrintable(added.out + added.err));
    QVERIFY(added.out.contains(u"http://127.0.0.1:8731/mcp/mine"));
    // The policy is in the data folder, named after the server, recorded in the configuration, valid.
    const QString policy = m_home->filePath(QStringLiteral("data/gatehouse/policies/mine.json"));
    QCOMPARE(config()[u"servers"][u"mine"][u"policy"].toString(), policy);
    QCOMPARE(run({QStringLiteral("check"), policy}).out, QStringLiteral("valid\n"));
    const QJsonObject starter = QJsonDocument::fromJson(read(policy)).object();
    // A reading tool is listed (so allowed, under "default": "deny"), a destructive one hidden.
    QCOMPARE(starter[u"default"].toString(), QStringLiteral("deny"));
    QVERIFY(starter[u"tools"].toObject().contains(u"list_agent_runs"));
    QVERIFY(starter[u"tools"][u"list_agent_runs"][u"action"].isUndefined());
    QVERIFY(starter[u"hide"].toArray().contains(QStringLiteral("delete_agent_run"))); // destructive

    // A server that cannot start is added, and says that every call is refused until it answers.
    const Result dead = run({QStringLiteral("servers"), QStringLiteral("add"), QStringLiteral("dead"),
                             QStringLiteral("--"), m_home->filePath(QStringLiteral("no-such-program"))});
    QCOMPARE(dead.exitCode, 0);
    QVERIFY2(dead.err.contains(u"could not list the tools of dead"), qPrintable(dead.err));

    const Result list = run({QStringLiteral("servers"), QStringLiteral("list")});
    QVERIFY(
        list.out.contains(QStringLiteral("mine  stdio %1 sandbox").arg(QStringLiteral(GATEHOUSE_BINARY))));
    QVERIFY2(list.out.contains(u"dead.json (missing: every call is refused until it exists)"),
             qPrintable(list.out));

    const Result removed = run({QStringLiteral("servers"), QStringLiteral("remove"), QStringLiteral("mine")});
    QCOMPARE(removed.exitCode, 0);
    QVERIFY(removed.out.contains(u"its policy file stays"));
    QVERIFY(!config()[u"servers"].toObject().contains(u"mine"));
    QVERIFY(QFileInfo::exists(policy));
    QCOMPARE(run({QStringLiteral("servers"), QStringLiteral("remove"), QStringLiteral("mine")}).exitCode, 1);
}

void TestServersCli::badInputIsRefusedWithTheReason()
{
    const QStringList add{QStringLiteral("servers"), QStringLiteral("add")};
    Result r = run(add + QStringList{QStringLiteral("has space"), QStringLiteral("--"), QStringLiteral("x")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(u"part of the URL"), qPrintable(r.err));
    r = run(add + QStringList{QStringLiteral("a%2Fb"), QStringLiteral("--"), QStringLiteral("x")});
    QCOMPARE(r.exitCode, 2);
    r = run(add + QStringList{QStringLiteral("both"), QStringLiteral("--url"),
                              QStringLiteral("http://127.0.0.1:9/mcp"), QStringLiteral("--"),
                              QStringLiteral("x")});
    QCOMPARE(r.exitCode, 2);
    r = run(add + QStringList{QStringLiteral("ftp"), QStringLiteral("--url"),
                              QStringLiteral("ftp://127.0.0.1/mcp")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(u"http:// or https://"), qPrintable(r.err));
    QCOMPARE(
        run(add + QStringList{QStringLiteral("one"), QStringLiteral("--"), QStringLiteral("x")}).exitCode, 0);
    r = run(add + QStringList{QStringLiteral("one"), QStringLiteral("--"), QStringLiteral("y")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(u"exists already"), qPrintable(r.err));
    QCOMPARE(config()[u"servers"][u"one"][u"command"].toArray().first().toString(), QStringLiteral("x"));

    // An invalid configuration is never written over.
    const QByteArray broken = "{\"version\": \"1\", \"servers\": {";
    write(configFile(), broken);
    r = run(add + QStringList{QStringLiteral("two"), QStringLiteral("--"), QStringLiteral("x")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains(u"it was left as it is"));
    QCOMPARE(read(configFile()), broken);
}

void TestServersCli::aCredentialNeverReachesTheFile()
{
    const Result r =
        run({QStringLiteral("servers"), QStringLiteral("add"), QStringLiteral("api"), QStringLiteral("--url"),
             QStringLiteral("http://127.0.0.1:9/mcp"), QStringLiteral("--header"),
             QStringLiteral("Authorization: Bearer sk-very-secret")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(u"looks like a credential") && r.err.contains(u"not written anywhere"),
             qPrintable(r.err));
    QVERIFY(!read(configFile()).contains("sk-very-secret"));
}

void TestServersCli::importGuardsInPlaceAndUnguardPutsTheBytesBack()
{
    // VS Code's file: comments, a trailing comma, an input variable, a setting of its own, CRLF.
    const QString vscode = m_home->filePath(QStringLiteral("config/Code/User/mcp.json"));
    const QByteArray original =
        QStringLiteral(
            "{\r\n"
            "  // my servers\r\n"
            "  \"servers\": {\r\n"
            "    \"sandbox\": { \"type\": \"stdio\", \"command\": \"%1\", \"args\": [\"sandbox\"] },\r\n"
            "    \"github\": { \"type\": \"http\", \"url\": \"https://example.invalid/mcp\",\r\n"
            "                \"headers\": { \"Authorization\": \"Bearer ${input:gh}\" } }, /* keep */\r\n"
            "  },\r\n"
            "  \"inputs\": [],\r\n"
            "}\r\n")
            .arg(QStringLiteral(GATEHOUSE_BINARY))
            .toUtf8();
    write(vscode, original);
    const QStringList import{QStringLiteral("servers"), QStringLiteral("import"), QStringLiteral("--from"),
                             QStringLiteral("vscode")};
    const Result listed = run(import);
    QCOMPARE(listed.exitCode, 0);
    QVERIFY2(listed.out.contains(u"starts 2 server(s)"), qPrintable(listed.out + listed.err));
    QVERIFY(listed.out.contains(u"github  cannot be guarded: it uses ${…} variables"));

    const Result dry = run(import + QStringList{QStringLiteral("--dry-run"), QStringLiteral("sandbox")});
    QCOMPARE(dry.exitCode, 0);
    QVERIFY2(dry.out.contains(u"would change"), qPrintable(dry.out + dry.err));
    QCOMPARE(read(vscode), original);
    QVERIFY(!QFileInfo::exists(configFile()));

    const Result guarded = run(import + QStringList{QStringLiteral("sandbox")});
    QCOMPARE(guarded.exitCode, 0);
    QVERIFY2(guarded.out.contains(u"a starter policy from its 30 tools"),
             qPrintable(guarded.out + guarded.err));
    const QByteArray after = read(vscode);
    // Only the entry's value changed: the comments, the other entry and the line endings stay.
    QVERIFY(after.startsWith("{\r\n  // my servers\r\n  \"servers\": {\r\n    \"sandbox\": "));
    QVERIFY(after.endsWith(original.mid(original.indexOf("\r\n    \"github\""))));
    const JsoncText parsed = JsoncText::parse(after);
    QVERIFY2(parsed.isValid(), qPrintable(parsed.error()));
    const QJsonObject entry = parsed.value()[u"servers"][u"sandbox"].toObject();
    QCOMPARE(entry[u"url"].toString(), QStringLiteral("http://127.0.0.1:8731/mcp/sandbox"));
    QVERIFY(entry[u"headers"][u"Authorization"].toString().startsWith(u"Bearer "));
    // Gatehouse runs the same command, with a grant of the client's own.
    QCOMPARE(config()[u"servers"][u"sandbox"][u"command"].toArray().last().toString(),
             QStringLiteral("sandbox"));
    QCOMPARE(config()[u"grants"][u"vscode-sandbox"][u"server"].toString(), QStringLiteral("sandbox"));
    QCOMPARE(QDir(QFileInfo(vscode).absolutePath()).entryList({QStringLiteral("mcp.json.bak-*")}).size(), 1);
    QVERIFY(run({QStringLiteral("servers"), QStringLiteral("list")}).out.contains(u"guarding sandbox of"));
    // A guarded server is unguarded, not removed.
    QCOMPARE(run({QStringLiteral("servers"), QStringLiteral("remove"), QStringLiteral("sandbox")}).exitCode,
             1);
    QVERIFY(run(import).out.contains(u"sandbox  already through Gatehouse"));

    const Result unguarded =
        run({QStringLiteral("servers"), QStringLiteral("unguard"), QStringLiteral("sandbox")});
    QCOMPARE(unguarded.exitCode, 0);
    QCOMPARE(read(vscode), original);
    QVERIFY(!config()[u"servers"].toObject().contains(u"sandbox"));
    QVERIFY(!config()[u"grants"].toObject().contains(u"vscode-sandbox"));
    QCOMPARE(run({QStringLiteral("servers"), QStringLiteral("unguard"), QStringLiteral("sandbox")}).exitCode,
             1);
}

void TestServersCli::aBrokenClientFileIsLeftAlone()
{
    const QString claude = m_home->filePath(QStringLiteral("config/Claude/claude_desktop_config.json"));
    const QByteArray broken = R"({"mcpServers": {"a": {"command": "x"}})";
    write(claude, broken);
    const Result r = run({QStringLiteral("servers"), QStringLiteral("import"), QStringLiteral("--from"),
                          QStringLiteral("claude"), QStringLiteral("a")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(u"is not valid JSON") && r.err.contains(u"left as it is"), qPrintable(r.err));
    QCOMPARE(read(claude), broken);
    QVERIFY(!QFileInfo::exists(configFile()));
    QCOMPARE(run({QStringLiteral("servers"), QStringLiteral("import"), QStringLiteral("--from"),
                  QStringLiteral("emacs")})
                 .exitCode,
             2);
}

void TestServersCli::dashDashOpensTheAppInFrontOfTheCommand()
{
    // `gatehouse -- COMMAND` is the app (not "unknown command"): it starts and serves the command, and
    // is stopped here once it says where it listens.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_home->path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_home->path());
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("GATEHOUSE_NO_DIALOGS"), QStringLiteral("1"));
    QProcess app;
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(QStringLiteral(GATEHOUSE_BINARY),
              {QStringLiteral("--"), QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")});
    QString out;
    const bool started = QTest::qWaitFor(
        [&] {
            out += QString::fromUtf8(app.readAll());
            return out.contains(u"proxy listening on") || app.state() == QProcess::NotRunning;
        },
        20000);
    app.terminate();
    app.waitForFinished(10000);
    out += QString::fromUtf8(app.readAll());
    QVERIFY2(started, qPrintable(out));
    QVERIFY2(!out.contains(u"unknown command"), qPrintable(out));
#ifndef GATEHOUSE_HAVE_GUI
    // A build without the desktop app says so (and how to run headless) instead.
    QVERIFY2(out.contains(u"this build has no desktop app"), qPrintable(out));
    return;
#endif
    // The app's own answers: it serves (on a fresh machine), or port 8731 or the app itself is taken
    // already (on a developer's machine, where one runs).
    QVERIFY2(out.contains(u"proxy listening on") || out.contains(u"cannot listen on") ||
                 out.contains(u"Gatehouse is already running"),
             qPrintable(out));
}

void TestServersCli::guardKeepsCredentialsInTheKeychainOnly()
{
    if (!qEnvironmentVariableIsSet("GATEHOUSE_TEST_KEYCHAIN"))
        QSKIP("needs a keychain: run as tst_servers_cli_keychain");
    const QString claude = m_home->filePath(QStringLiteral("config/Claude/claude_desktop_config.json"));
    const QByteArray original =
        QStringLiteral("{\n  \"mcpServers\": {\n    \"paid\": {\n      \"command\": \"%1\",\n"
                       "      \"args\": [\"sandbox\"],\n"
                       "      \"env\": { \"API_KEY\": \"sk-live-123\", \"MODE\": \"fast\" }\n"
                       "    }\n  }\n}\n")
            .arg(QStringLiteral(GATEHOUSE_BINARY))
            .toUtf8();
    write(claude, original);
    const Result guarded = run({QStringLiteral("servers"), QStringLiteral("import"), QStringLiteral("--from"),
                                QStringLiteral("claude"), QStringLiteral("paid")});
    QCOMPARE(guarded.exitCode, 0);
    QVERIFY2(guarded.out.contains(u"API_KEY → keychain secret \"paid-api_key\""),
             qPrintable(guarded.out + guarded.err));
    QCOMPARE(config()[u"servers"][u"paid"][u"env"][u"API_KEY"][u"secret"].toString(),
             QStringLiteral("paid-api_key"));
    QCOMPARE(config()[u"servers"][u"paid"][u"env"][u"MODE"].toString(), QStringLiteral("fast"));
    // Nowhere on disk but in the keychain: not the configuration, not the record, not the client's file.
    QVERIFY(!read(configFile()).contains("sk-live-123"));
    QVERIFY(!read(m_home->filePath(QStringLiteral("data/gatehouse/guards.json"))).contains("sk-live-123"));
    QVERIFY(!read(claude).contains("sk-live-123"));
    // The sandbox sees nothing of it, but Gatehouse runs it with the variable: `servers list` is enough here.
    QVERIFY(run({QStringLiteral("servers"), QStringLiteral("list")}).out.contains(u"guarding paid"));

    const Result unguarded =
        run({QStringLiteral("servers"), QStringLiteral("unguard"), QStringLiteral("paid")});
    QCOMPARE(unguarded.exitCode, 0);
    QCOMPARE(read(claude), original);
}

QTEST_GUILESS_MAIN(TestServersCli)
#include "tst_servers_cli.moc"
