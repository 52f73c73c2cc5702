// SPDX-License-Identifier: GPL-3.0-or-later
// Grants end to end: labelled tokens made with `gatehouse grants`, two agents with separate budgets,
// 401 for no, unknown and revoked tokens, a grant's own policy, and the label in the audit log.
#include "E2eSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace e2e;

namespace {

using Run = CommandRun;

Run gatehouse(const QStringList& args)
{
    return runGatehouse(args);
}

const QByteArray json = "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
const QByteArray init =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
    R"("capabilities":{},"clientInfo":{"name":"x","version":"1"}}})";

// A bare initialize carrying `token`, as a client would open a session with it.
int initializeWith(quint16 port, const QString& token)
{
    return rawHttp(port, post(init, json + "Authorization: Bearer " + token.toUtf8() + "\r\n", port)).status;
}

QString tokenFrom(const Run& add)
{
    return add.out.trimmed().split(u'\n').last().trimmed();
}

} // namespace

class TestGrantsE2E : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void tokensAreStoredOnlyAsHashes();
    void separateBudgetsPerGrant();
    void unknownAndMissingTokensGet401();
    void aGrantsOwnPolicy();
    void sessionsBelongToTheirGrant();
    void auditNamesTheGrant();
    void revokedGrantIsRefused();

private:
    QJsonArray callEcho(const QString& token, int times);

    QTemporaryDir m_dir;
    QString m_config, m_policy, m_strict, m_audit;
    QString m_alice, m_ci, m_intern;
    ProxyProcess* m_proxy = nullptr;
};

void TestGrantsE2E::initTestCase()
{
    m_config = m_dir.filePath(QStringLiteral("config.json"));
    m_policy = m_dir.filePath(QStringLiteral("policy.json"));
    m_strict = m_dir.filePath(QStringLiteral("strict.json"));
    m_audit = m_dir.filePath(QStringLiteral("audit.sqlite"));
    QFile p(m_policy);
    QVERIFY(p.open(QIODevice::WriteOnly));
    p.write(
        R"({"version":"1","default":"allow","tools":{"echo":{"limits":[{"counter":"echo","window":"minute","max":2,"scope":"grant"}]}}})");
    p.close();
    QFile s(m_strict);
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write(
        R"({"version":"1","default":"deny","tools":{"echo":{"action":"deny","on_deny":"Interns may not echo."}}})");
    s.close();

    const QStringList cfg{QStringLiteral("--config"), m_config};
    const Run alice =
        gatehouse(QStringList{QStringLiteral("grants"), QStringLiteral("add"), QStringLiteral("alice-laptop"),
                              QStringLiteral("--server"), QStringLiteral("default")} +
                  cfg);
    QCOMPARE(alice.exitCode, 0);
    QVERIFY(alice.out.startsWith(u"grant alice-laptop may call server default. Its token, shown this once:"));
    m_alice = tokenFrom(alice);
    m_ci = tokenFrom(
        gatehouse(QStringList{QStringLiteral("grants"), QStringLiteral("add"), QStringLiteral("ci-runner"),
                              QStringLiteral("--server"), QStringLiteral("default")} +
                  cfg));
    m_intern =
        tokenFrom(gatehouse(QStringList{QStringLiteral("grants"), QStringLiteral("add"),
                                        QStringLiteral("intern"), QStringLiteral("--server"),
                                        QStringLiteral("default"), QStringLiteral("--policy"), m_strict} +
                            cfg));
    QVERIFY(m_alice.size() >= 22 && m_ci.size() >= 22 && m_alice != m_ci); // >= 128 bits, URL-safe base64
    QCOMPARE(
        gatehouse(QStringList{QStringLiteral("grants"), QStringLiteral("add"), QStringLiteral("ci-runner"),
                              QStringLiteral("--server"), QStringLiteral("default")} +
                  cfg)
            .exitCode,
        1); // no duplicates

    m_proxy = new ProxyProcess;
    QVERIFY2(m_proxy->start(stdioUpstream(),
                            {QStringLiteral("--config"), m_config, QStringLiteral("--audit"), m_audit,
                             QStringLiteral("--token"), QString()},
                            m_policy),
             qPrintable(m_proxy->log()));
}

void TestGrantsE2E::cleanupTestCase()
{
    delete m_proxy;
}

QJsonArray TestGrantsE2E::callEcho(const QString& token, int times)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_TOOL"), QStringLiteral("echo"));
    env.insert(QStringLiteral("E2E_ARGS"), QStringLiteral("{\"message\":\"hi\"}"));
    env.insert(QStringLiteral("E2E_TIMES"), QString::number(times));
    return runNode({E2eDir + QStringLiteral("/client.mjs"), QStringLiteral("callTool"),
                    QStringLiteral("--http"), m_proxy->url(), QStringLiteral("--token"), token},
                   env, 60'000)
        .output[QStringLiteral("results")]
        .toArray();
}

static QString text(const QJsonValue& v)
{
    return v[QStringLiteral("result")][QStringLiteral("content")][0][QStringLiteral("text")].toString();
}

void TestGrantsE2E::tokensAreStoredOnlyAsHashes()
{
    QFile f(m_config);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray saved = f.readAll();
    QVERIFY(!saved.contains(m_alice.toUtf8()));
    QVERIFY(saved.contains("\"token_sha256\""));
    QCOMPARE(QFileInfo(m_config).permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    const Run list =
        gatehouse({QStringLiteral("grants"), QStringLiteral("list"), QStringLiteral("--config"), m_config});
    QVERIFY(list.out.contains(u"alice-laptop  server default"));
    QVERIFY(list.out.contains(u"intern  server default"));
    QVERIFY(!list.out.contains(m_alice));
}

void TestGrantsE2E::separateBudgetsPerGrant()
{
    const QJsonArray alice = callEcho(m_alice, 3);
    QCOMPARE(alice.size(), 3);
    QCOMPARE(text(alice[0]), QStringLiteral("Echo: hi"));
    QCOMPARE(text(alice[1]), QStringLiteral("Echo: hi"));
    QVERIFY(text(alice[2]).startsWith(u"Rate limit reached for echo: 2 per minute"));
    // A new session of the same grant shares its budget; another grant has its own.
    QVERIFY(text(callEcho(m_alice, 1)[0]).startsWith(u"Rate limit reached"));
    const QJsonArray ci = callEcho(m_ci, 2);
    QCOMPARE(text(ci[0]), QStringLiteral("Echo: hi"));
    QCOMPARE(text(ci[1]), QStringLiteral("Echo: hi"));
}

void TestGrantsE2E::unknownAndMissingTokensGet401()
{
    const quint16 port = m_proxy->port();
    QCOMPARE(rawHttp(port, post(init, json, port)).status, 401);
    QCOMPARE(initializeWith(port, QStringLiteral("not-a-grant")), 401);
    QCOMPARE(initializeWith(port, m_ci), 200);
    // Nothing of a refused request reaches the log.
    QVERIFY(!m_proxy->log().contains(u"not-a-grant"));
}

void TestGrantsE2E::aGrantsOwnPolicy()
{
    const QJsonArray intern = callEcho(m_intern, 1);
    QCOMPARE(text(intern[0]), QStringLiteral("Denied by policy: Interns may not echo."));
}

void TestGrantsE2E::sessionsBelongToTheirGrant()
{
    // A session opened with alice's token cannot be used with ci-runner's.
    const quint16 port = m_proxy->port();
    const RawResponse opened =
        rawHttp(port, post(init, json + "Authorization: Bearer " + m_alice.toUtf8() + "\r\n", port));
    QCOMPARE(opened.status, 200);
    const QRegularExpression sid(QStringLiteral("Mcp-Session-Id: ([0-9a-f]+)"));
    const QByteArray session =
        "Mcp-Session-Id: " + sid.match(QString::fromLatin1(opened.head)).captured(1).toLatin1() + "\r\n";
    const QByteArray list = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
    QCOMPARE(
        rawHttp(port, post(list, json + session + "Authorization: Bearer " + m_ci.toUtf8() + "\r\n", port))
            .status,
        404);
    QCOMPARE(
        rawHttp(port, post(list, json + session + "Authorization: Bearer " + m_alice.toUtf8() + "\r\n", port))
            .status,
        200);
}

void TestGrantsE2E::auditNamesTheGrant()
{
    QTest::qWait(200);
    const Run alice = gatehouse({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--grant"),
                                 QStringLiteral("alice-laptop"), QStringLiteral("--db"), m_audit});
    const QStringList rows = alice.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 4);
    for (const QString& row : rows)
        QCOMPARE(QJsonDocument::fromJson(row.toUtf8())[QStringLiteral("grant_label")].toString(),
                 QStringLiteral("alice-laptop"));
    QVERIFY(m_proxy->log().contains(u"echo limited /tools/echo/limits/0 grant alice-laptop"));
}

void TestGrantsE2E::revokedGrantIsRefused()
{
    QCOMPARE(gatehouse({QStringLiteral("grants"), QStringLiteral("revoke"), QStringLiteral("ci-runner"),
                        QStringLiteral("--config"), m_config})
                 .exitCode,
             0);
    QVERIFY(m_proxy->waitForLog(
        QRegularExpression(QStringLiteral("configuration reloaded: \\d+ servers, 2 grants")), 5000));
    QCOMPARE(initializeWith(m_proxy->port(), m_ci), 401);
    QCOMPARE(initializeWith(m_proxy->port(), m_alice), 200);
}

QTEST_GUILESS_MAIN(TestGrantsE2E)
#include "tst_grants_e2e.moc"
