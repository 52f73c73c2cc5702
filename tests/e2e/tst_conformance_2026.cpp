// SPDX-License-Identifier: GPL-3.0-or-later
// The MCP conformance suite's frozen 2026-07-28 requirement set (conformance 0.2.0-alpha.12,
// `server --requirements 2026-07-28`), run against two servers directly and through Gatehouse (allow-all
// policy): the conformance project's reference server, which speaks both eras, over Streamable HTTP; and
// an SDK 2.x server of the stateless era only (server2.mjs), directly over HTTP and through Gatehouse as
// a stdio child. Every scenario that passes directly must pass through Gatehouse.
#include "E2eSupport.h"

#include <QMap>
#include <memory>

using namespace e2e;

namespace {

// The 2026-07-28 requirement set, frozen at that release, against a URL.
QMap<QString, bool> runSuite(const QString& url, QString* transcript)
{
    return runConformance(E2eDir + QStringLiteral("/node_modules/conformance-2026/dist/index.js"), url,
                          {QStringLiteral("--requirements"), QStringLiteral("2026-07-28")}, transcript);
}

} // namespace

class TestConformance2026 : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void scenario_data();
    void scenario();

private:
    // The suite against `server` directly and through `proxy`; printed side by side.
    bool compare(const QString& upstream, const QString& direct, const ProxyProcess& proxy);

    // Per upstream ("http", "stdio"): scenario → passed, directly and through Gatehouse.
    QMap<QString, QMap<QString, bool>> m_direct, m_through;
    std::unique_ptr<NodeServer> m_reference, m_modern;
    std::unique_ptr<ProxyProcess> m_viaHttp, m_viaStdio;
};

bool TestConformance2026::compare(const QString& upstream, const QString& direct, const ProxyProcess& proxy)
{
    QString transcript;
    m_direct[upstream] = runSuite(direct, &transcript);
    if (m_direct[upstream].size() < 40) {
        qWarning("%s", qPrintable(transcript.right(3000)));
        return false;
    }
    m_through[upstream] = runSuite(proxy.url(), nullptr);
    int passedDirectly = 0, passedThrough = 0;
    for (auto it = m_direct[upstream].cbegin(); it != m_direct[upstream].cend(); ++it) {
        const bool through = m_through[upstream].value(it.key());
        passedDirectly += it.value();
        passedThrough += through;
        qInfo("%-5s %-48s direct %-4s  via gatehouse %s", qPrintable(upstream), qPrintable(it.key()),
              it.value() ? "pass" : "fail", through ? "pass" : "fail");
    }
    qInfo("%s upstream: %d of %lld scenarios pass directly, %d through Gatehouse", qPrintable(upstream),
          passedDirectly, qlonglong(m_direct[upstream].size()), passedThrough);
    return true;
}

void TestConformance2026::initTestCase()
{
    // The suite's client sends no credentials, so the proxies run without a token.
    const QString allowAll = E2eDir + QStringLiteral("/policy-allow-all.json");
    m_reference = std::make_unique<NodeServer>();
    QVERIFY(m_reference->start({QStringLiteral("--require"), E2eDir + QStringLiteral("/bind-loopback.cjs"),
                                E2eDir + QStringLiteral("/conformance-everything-server.ts")}));
    m_viaHttp = std::make_unique<ProxyProcess>();
    QVERIFY2(m_viaHttp->start({QStringLiteral("--upstream"), m_reference->url("/mcp")},
                              {QStringLiteral("--no-auth")}, allowAll),
             qPrintable(m_viaHttp->log()));
    QVERIFY(compare(QStringLiteral("http"), m_reference->url("/mcp"), *m_viaHttp));

    m_modern = std::make_unique<NodeServer>();
    QVERIFY(m_modern->start({E2eDir + QStringLiteral("/server2.mjs")}));
    m_viaStdio = std::make_unique<ProxyProcess>();
    QVERIFY2(m_viaStdio->start({QStringLiteral("--"), Node, E2eDir + QStringLiteral("/server2.mjs"),
                                QStringLiteral("stdio")},
                               {QStringLiteral("--no-auth")}, allowAll),
             qPrintable(m_viaStdio->log()));
    QVERIFY(compare(QStringLiteral("stdio"), m_modern->url("/mcp"), *m_viaStdio));
}

void TestConformance2026::scenario_data()
{
    QTest::addColumn<QString>("upstream");
    QTest::addColumn<QString>("name");
    for (auto u = m_direct.cbegin(); u != m_direct.cend(); ++u)
        for (auto it = u->cbegin(); it != u->cend(); ++it)
            if (it.value())
                QTest::addRow("%s/%s", qPrintable(u.key()), qPrintable(it.key())) << u.key() << it.key();
}

void TestConformance2026::scenario()
{
    QFETCH(QString, upstream);
    QFETCH(QString, name);
    QVERIFY2(m_through[upstream].value(name), "passes directly, fails through Gatehouse");
}

QTEST_GUILESS_MAIN(TestConformance2026)
#include "tst_conformance_2026.moc"
