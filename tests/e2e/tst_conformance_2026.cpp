// SPDX-License-Identifier: GPL-3.0-or-later
// The MCP conformance suite's frozen 2026-07-28 requirement set (conformance 0.2.0-alpha.12,
// `server --requirements 2026-07-28`), run against the conformance project's reference server, which
// speaks both eras, directly and through Gatehouse (allow-all policy, Streamable HTTP upstream). Every
// scenario that passes directly must pass through Gatehouse, except the known gaps listed below, which
// are expected to fail (and fail this test, as XPASS, the day they pass: then they leave the list).
#include "E2eSupport.h"

#include <QMap>

using namespace e2e;

namespace {

// The 2026-07-28 requirement set, frozen at that release, against a URL.
QMap<QString, bool> runSuite(const QString& url, QString* transcript)
{
    return runConformance(E2eDir + QStringLiteral("/node_modules/conformance-2026/dist/index.js"), url,
                          {QStringLiteral("--requirements"), QStringLiteral("2026-07-28")}, transcript);
}

// Passing directly, failing through Gatehouse, and why. With a server that speaks both eras,
// Gatehouse's upstream negotiates the session era, where the server keeps none of the tools these
// scenarios call (they live on its stateless path), and a stateless client's input-required rounds are
// translated twice. Closing them is the era translation done once (one path for both eras).
const QMap<QString, const char*> KnownGaps{
    {QStringLiteral("server-stateless"),
     "its undeclared-capability check calls test_missing_capability, which only the server's stateless path "
     "has"},
    {QStringLiteral("input-required-result-basic-elicitation"), "stateless-path tool"},
    {QStringLiteral("input-required-result-basic-sampling"), "stateless-path tool"},
    {QStringLiteral("input-required-result-basic-list-roots"), "stateless-path tool"},
    {QStringLiteral("input-required-result-request-state"), "stateless-path tool"},
    {QStringLiteral("input-required-result-multiple-input-requests"), "stateless-path tool"},
    {QStringLiteral("input-required-result-multi-round"), "stateless-path tool"},
    {QStringLiteral("input-required-result-non-tool-request"), "stateless-path prompt"},
    {QStringLiteral("input-required-result-result-type"), "stateless-path tool"},
    {QStringLiteral("input-required-result-tampered-state"), "stateless-path tool"},
    {QStringLiteral("input-required-result-capability-check"), "stateless-path tool"},
};

} // namespace

class TestConformance2026 : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void scenario_data();
    void scenario();

private:
    NodeServer* m_server = nullptr;
    ProxyProcess* m_proxy = nullptr;
    QMap<QString, bool> m_direct, m_through;
};

void TestConformance2026::initTestCase()
{
    m_server = new NodeServer;
    QVERIFY(m_server->start({QStringLiteral("--require"), E2eDir + QStringLiteral("/bind-loopback.cjs"),
                             E2eDir + QStringLiteral("/conformance-everything-server.ts")}));
    m_proxy = new ProxyProcess;
    // The suite's client sends no credentials, so the proxy runs without a token.
    QVERIFY2(m_proxy->start({QStringLiteral("--upstream"), m_server->url("/mcp")},
                            {QStringLiteral("--no-auth")}, E2eDir + QStringLiteral("/policy-allow-all.json")),
             qPrintable(m_proxy->log()));
    QString transcript;
    m_direct = runSuite(m_server->url("/mcp"), &transcript);
    QVERIFY2(m_direct.size() >= 40, qPrintable(transcript.right(3000)));
    m_through = runSuite(m_proxy->url(), nullptr);
    int direct = 0, through = 0;
    for (auto it = m_direct.cbegin(); it != m_direct.cend(); ++it) {
        direct += it.value();
        through += m_through.value(it.key());
        qInfo("%-48s direct %-4s  via gatehouse %s", qPrintable(it.key()), it.value() ? "pass" : "fail",
              m_through.value(it.key()) ? "pass" : "fail");
    }
    qInfo("2026-07-28 requirement set: %d of %lld scenarios pass directly, %d through Gatehouse", direct,
          qlonglong(m_direct.size()), through);
}

void TestConformance2026::cleanupTestCase()
{
    delete m_proxy;
    delete m_server;
}

void TestConformance2026::scenario_data()
{
    QTest::addColumn<QString>("name");
    for (auto it = m_direct.cbegin(); it != m_direct.cend(); ++it)
        if (it.value())
            QTest::newRow(qPrintable(it.key())) << it.key();
}

void TestConformance2026::scenario()
{
    QFETCH(QString, name);
    if (const char* why = KnownGaps.value(name))
        QEXPECT_FAIL("", why, Continue);
    QVERIFY2(m_through.value(name),
             "passes directly, fails through Gatehouse with a Streamable HTTP upstream");
}

QTEST_GUILESS_MAIN(TestConformance2026)
#include "tst_conformance_2026.moc"
