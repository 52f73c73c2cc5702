// SPDX-License-Identifier: GPL-3.0-or-later
// The MCP conformance suite's server scenarios, run against server-everything directly and through
// Gatehouse (allow-all policy) with a stdio and with a Streamable HTTP upstream. Every scenario that
// passes directly must pass through Gatehouse; each is listed in the output.
#include "E2eSupport.h"

#include <QMap>

using namespace e2e;

namespace {

// The 0.1.16 suite's active scenarios against a URL.
QMap<QString, bool> runSuite(const QString& url, QString* transcript)
{
    return runConformance(E2eDir + QStringLiteral("/node_modules/.bin/conformance"), url, {}, transcript);
}

} // namespace

class TestConformance : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void scenario_data();
    void scenario();

private:
    EverythingServer* m_server = nullptr;
    ProxyProcess* m_viaStdio = nullptr;
    ProxyProcess* m_viaHttp = nullptr;
    QMap<QString, bool> m_direct, m_stdio, m_http;
};

void TestConformance::initTestCase()
{
    const QString allowAll = E2eDir + QStringLiteral("/policy-allow-all.json");
    m_server = new EverythingServer;
    QVERIFY(m_server->start(QStringLiteral("streamableHttp")));
    // The suite's client sends no credentials, so these proxies run without a token.
    m_viaStdio = new ProxyProcess;
    QVERIFY2(m_viaStdio->start(stdioUpstream(), {QStringLiteral("--no-auth")}, allowAll),
             qPrintable(m_viaStdio->log()));
    m_viaHttp = new ProxyProcess;
    QVERIFY2(m_viaHttp->start({QStringLiteral("--upstream"), m_server->url("/mcp")},
                              {QStringLiteral("--no-auth")}, allowAll),
             qPrintable(m_viaHttp->log()));

    QString transcript;
    m_direct = runSuite(m_server->url("/mcp"), &transcript);
    QVERIFY2(m_direct.size() >= 20, qPrintable(transcript));
    m_stdio = runSuite(m_viaStdio->url(), nullptr);
    m_http = runSuite(m_viaHttp->url(), nullptr);
    int passing = 0;
    for (auto it = m_direct.cbegin(); it != m_direct.cend(); ++it) {
        passing += it.value() ? 1 : 0;
        qInfo("%-32s direct %-4s  via gatehouse (stdio upstream) %-4s  via gatehouse (HTTP upstream) %s",
              qPrintable(it.key()), it.value() ? "pass" : "fail", m_stdio.value(it.key()) ? "pass" : "fail",
              m_http.value(it.key()) ? "pass" : "fail");
    }
    qInfo("%d of %lld scenarios pass against server-everything directly", passing,
          qlonglong(m_direct.size()));
}

void TestConformance::cleanupTestCase()
{
    delete m_viaStdio;
    delete m_viaHttp;
    delete m_server;
}

void TestConformance::scenario_data()
{
    QTest::addColumn<QString>("name");
    for (auto it = m_direct.cbegin(); it != m_direct.cend(); ++it)
        if (it.value())
            QTest::newRow(qPrintable(it.key())) << it.key();
}

void TestConformance::scenario()
{
    QFETCH(QString, name);
    QVERIFY2(m_stdio.value(name),
             qPrintable(QStringLiteral("passes directly, fails through Gatehouse with a stdio "
                                       "upstream; its log:\n") +
                        m_viaStdio->log().right(3000)));
    QVERIFY2(m_http.value(name), "passes directly, fails through Gatehouse with a Streamable HTTP upstream");
}

QTEST_GUILESS_MAIN(TestConformance)
#include "tst_conformance.moc"
