// SPDX-License-Identifier: GPL-3.0-or-later
// Upstream credentials: an HTTP MCP server (the official SDK) that wants X-Api-Key gets it from a
// secret (GATEHOUSE_SECRET_* here, where CI has no keychain), while the key is never written to the
// proxy's log, the audit log or the configuration file; a missing secret stops the proxy with the way out.
#include "E2eSupport.h"

using namespace e2e;

namespace {
const QString Key = QStringLiteral("sk-e2e-7f3a9c1d5b2e8f4a");

// An environment with no keychain to ask (no session bus, unless kept) and, if given, the secret.
QProcessEnvironment environment(const QString& secretValue = {}, bool keepKeychain = false)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!keepKeychain)
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    env.remove(QStringLiteral("GATEHOUSE_SECRET_KEYED_KEY"));
    if (!secretValue.isEmpty())
        env.insert(QStringLiteral("GATEHOUSE_SECRET_KEYED_KEY"), secretValue);
    return env;
}

QString whoami(quint16 port)
{
    McpClient client(port);
    if (!client.initialize())
        return QStringLiteral("(no session)");
    const QJsonObject r = client.call(QStringLiteral("whoami"), {});
    return r[QStringLiteral("result")][QStringLiteral("content")][0][QStringLiteral("text")].toString() +
           r[QStringLiteral("error")][QStringLiteral("message")].toString();
}

// gatehouse ARGS with `input` on stdin, against the test's keychain.
CommandRun withKeychain(const QStringList& args, const QByteArray& input = {})
{
    QProcess p;
    p.setProcessEnvironment(environment({}, true));
    p.start(Gatehouse, args);
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30'000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError())};
}
} // namespace

class TestSecretsE2E : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start({E2eDir + QStringLiteral("/keyed-server.mjs")},
                               {{QStringLiteral("KEYED_SERVER_KEY"), Key}}));
    }

    void headerSecretReachesTheServerAndNothingElse()
    {
        const QString audit = scratch(QStringLiteral("secrets-audit.sqlite"));
        ProxyProcess proxy;
        proxy.process().setProcessEnvironment(environment(Key));
        QVERIFY2(proxy.start({QStringLiteral("--upstream"), m_server.url("/mcp"),
                              QStringLiteral("--header-secret"), QStringLiteral("X-Api-Key: keyed-key")},
                             {QStringLiteral("--audit"), audit, QStringLiteral("--audit-arguments")},
                             E2eDir + QStringLiteral("/policy-allow-all.json")),
                 qPrintable(proxy.log()));
        QCOMPARE(whoami(proxy.port()), QStringLiteral("key accepted"));
        QVERIFY2(proxy.log().contains(
                     QStringLiteral("header X-Api-Key from secret \"keyed-key\" in the environment")),
                 qPrintable(proxy.log()));
        QTRY_VERIFY(m_server.output().contains("with key sha256:"));
        proxy.process().terminate();
        QVERIFY(proxy.process().waitForFinished(10'000));
        QVERIFY(!proxy.log().contains(Key));
        // The audit log has the call, with its full arguments and result, and not the key.
        const CommandRun exported =
            runGatehouse({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--db"), audit});
        QVERIFY2(exported.out.contains(QStringLiteral("whoami")), qPrintable(exported.out));
        QVERIFY(!exported.out.contains(Key));
        QFile db(audit);
        QVERIFY(db.open(QIODevice::ReadOnly));
        QVERIFY(!db.readAll().contains(Key.toUtf8()));
    }

    void missingSecretStopsTheProxyWithTheWayOut()
    {
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(Gatehouse,
                {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                 QStringLiteral("--audit"), scratch(QStringLiteral("audit.sqlite")),
                 QStringLiteral("--admin-file"), scratch(QStringLiteral("admin.json")),
                 QStringLiteral("--upstream"), m_server.url("/mcp"), QStringLiteral("--header-secret"),
                 QStringLiteral("X-Api-Key: keyed-key")});
        QVERIFY(p.waitForFinished(20'000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(
            err.contains(QStringLiteral("secret \"keyed-key\" is neither in GATEHOUSE_SECRET_KEYED_KEY nor "
                                        "in the keychain")),
            qPrintable(err));
        QVERIFY(err.contains(QStringLiteral("gatehouse secrets set keyed-key")));
        const CommandRun status = runGatehouse({QStringLiteral("secrets"), QStringLiteral("frobnicate")});
        QCOMPARE(status.exitCode, 2);
    }

    void plainTextHeaderWorksButIsWarnedAbout()
    {
        ProxyProcess proxy;
        proxy.process().setProcessEnvironment(environment());
        QVERIFY2(proxy.start({QStringLiteral("--upstream"), m_server.url("/mcp"), QStringLiteral("--header"),
                              QStringLiteral("X-Api-Key: ") + Key},
                             {}, E2eDir + QStringLiteral("/policy-allow-all.json")),
                 qPrintable(proxy.log()));
        QCOMPARE(whoami(proxy.port()), QStringLiteral("key accepted"));
        QVERIFY2(proxy.log().contains(QStringLiteral("WARNING: server default: header X-Api-Key looks like a "
                                                     "credential and is in plain text")),
                 qPrintable(proxy.log()));
        QVERIFY(!proxy.log().contains(Key));
    }

    // The real keychain: a private GNOME keyring on a private session bus (tests/e2e/with-keychain.sh).
    void keychainSecretReachesTheServer()
    {
        if (!qEnvironmentVariableIsSet("GATEHOUSE_TEST_KEYCHAIN"))
            QSKIP("needs the private keychain of tests/e2e/with-keychain.sh, as ctest runs this test");
        const CommandRun set =
            withKeychain({QStringLiteral("secrets"), QStringLiteral("set"), QStringLiteral("keyed-key")},
                         Key.toUtf8() + '\n');
        QVERIFY2(set.exitCode == 0, qPrintable(set.out));
        const CommandRun status =
            withKeychain({QStringLiteral("secrets"), QStringLiteral("status"), QStringLiteral("keyed-key")});
        QVERIFY2(status.out.contains(QStringLiteral("from the keychain: sk-e… (23 characters)")),
                 qPrintable(status.out));
        QVERIFY(!status.out.contains(Key));
        {
            ProxyProcess proxy;
            proxy.process().setProcessEnvironment(environment({}, true));
            QVERIFY2(proxy.start({QStringLiteral("--upstream"), m_server.url("/mcp"),
                                  QStringLiteral("--header-secret"), QStringLiteral("X-Api-Key: keyed-key")},
                                 {}, E2eDir + QStringLiteral("/policy-allow-all.json")),
                     qPrintable(proxy.log()));
            QCOMPARE(whoami(proxy.port()), QStringLiteral("key accepted"));
            QVERIFY2(proxy.log().contains(QStringLiteral("from secret \"keyed-key\" in the keychain")),
                     qPrintable(proxy.log()));
            QVERIFY(!proxy.log().contains(Key));
        }
        // The Rolli token lives there the same way.
        QCOMPARE(withKeychain({QStringLiteral("rolli"), QStringLiteral("token"), QStringLiteral("set")},
                              "rk_live_0123456789abcdef\n")
                     .exitCode,
                 0);
        QVERIFY(withKeychain({QStringLiteral("rolli"), QStringLiteral("token"), QStringLiteral("status")})
                    .out.contains(QStringLiteral("Rolli API token from the keychain: rk_l")));
        // Cleared: gone from the keychain, and a proxy that needs it does not start.
        QCOMPARE(
            withKeychain({QStringLiteral("secrets"), QStringLiteral("clear"), QStringLiteral("keyed-key")})
                .exitCode,
            0);
        const CommandRun gone =
            withKeychain({QStringLiteral("secrets"), QStringLiteral("status"), QStringLiteral("keyed-key")});
        QCOMPARE(gone.exitCode, 1);
        QVERIFY2(gone.out.contains(QStringLiteral("not in the keychain")), qPrintable(gone.out));
    }

    void configuredSecretStaysAReferenceInTheFile()
    {
        // A configured server whose header names a secret; a grant added later rewrites the file.
        const QString config = scratch(QStringLiteral("secrets-config.json"));
        {
            QFile f(config);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(
                QStringLiteral("{\"version\": \"1\", \"servers\": {\"keyed\": {\"url\": \"%1\", \"headers\": "
                               "{\"X-Api-Key\": {\"secret\": \"keyed-key\"}}, \"policy\": \"%2\"}}}")
                    .arg(m_server.url("/mcp"), E2eDir + QStringLiteral("/policy-allow-all.json"))
                    .toUtf8());
        }
        const CommandRun grant = runGatehouse({QStringLiteral("grants"), QStringLiteral("add"),
                                               QStringLiteral("ci"), QStringLiteral("--server"),
                                               QStringLiteral("keyed"), QStringLiteral("--config"), config});
        QCOMPARE(grant.exitCode, 0);
        const QByteArray token = grant.out.split(u'\n').value(1).trimmed().toLatin1();
        QFile f(config);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray written = f.readAll();
        QVERIFY2(written.contains("\"secret\": \"keyed-key\""), written.constData());

        QProcess p;
        p.setProcessEnvironment(environment(Key));
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(Gatehouse, {QStringLiteral("serve"), QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:0"), QStringLiteral("--config"), config,
                            QStringLiteral("--audit"), scratch(QStringLiteral("audit.sqlite")),
                            QStringLiteral("--admin-file"), scratch(QStringLiteral("admin.json"))});
        QByteArray log;
        quint16 port = 0;
        const QRegularExpression listening(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)/mcp"));
        QTRY_VERIFY_WITH_TIMEOUT(
            (log += p.readAll(),
             port = quint16(listening.match(QString::fromUtf8(log)).captured(1).toUInt())) != 0,
            20'000);
        McpClient client(port, token, QByteArrayLiteral("/mcp/keyed"));
        QVERIFY(client.initialize());
        QCOMPARE(client
                     .call(QStringLiteral("whoami"),
                           {})[QStringLiteral("result")][QStringLiteral("content")][0][QStringLiteral("text")]
                     .toString(),
                 QStringLiteral("key accepted"));
        p.terminate();
        p.waitForFinished(10'000);
        log += p.readAll();
        QVERIFY(log.contains("server keyed: header X-Api-Key from secret \"keyed-key\" in the environment"));
        QVERIFY(!log.contains(Key.toUtf8()));
    }

private:
    NodeServer m_server; // keyed-server.mjs: wants X-Api-Key
};

QTEST_GUILESS_MAIN(TestSecretsE2E)
#include "tst_secrets_e2e.moc"
