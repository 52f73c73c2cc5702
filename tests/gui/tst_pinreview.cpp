// SPDX-License-Identifier: GPL-3.0-or-later
// Tool pinning in the app: the real proxy in front of the Rolli sandbox run with
// GATEHOUSE_SANDBOX_RUG_PULL=1, with pins approved earlier for the honest get_usage. The window says a tool
// is held; the review shows the approved and the new definition side by side with the hidden instruction
// flagged; accepting it releases the tool and the banner goes.
#include "MainWindow.h"
#include "PinReviewDialog.h"
#include "ServedServer.h"
#include "audit/AuditLog.h"
#include "config/Config.h"
#include "pins/ToolPins.h"
#include "policy/ToolCatalogue.h"
#include "proxy/Proxy.h"

#include <QDir>
#include <QFrame>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace gatehouse;
using namespace gatehouse::ui;

class TestPinReview : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        // Pins as an earlier, honest run left them: every Rolli tool as the sandbox describes it.
        const QString pinsPath = m_dir.filePath(QStringLiteral("pins.json"));
        {
            QFile f(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonArray honest;
            for (const QJsonValue& v : QJsonDocument::fromJson(f.readAll())[QLatin1String("tools")].toArray())
                honest.append(QJsonObject{{QStringLiteral("name"), v[QLatin1String("name")]},
                                          {QStringLiteral("description"), v[QLatin1String("summary")]},
                                          {QStringLiteral("inputSchema"), v[QLatin1String("inputSchema")]}});
            ToolPins earlier(pinsPath);
            QString error;
            QVERIFY(earlier.load(&error));
            QCOMPARE(earlier.screen(QStringLiteral("rolli-sandbox"), honest).size(), 30);
        }

        m_audit = std::make_unique<AuditLog>(m_dir.filePath(QStringLiteral("audit.sqlite")));
        QString error;
        QVERIFY2(m_audit->open(&error), qPrintable(error));
        ServerConfig sandbox;
        sandbox.command = QStringList{QStringLiteral(GATEHOUSE_BINARY), QStringLiteral("sandbox")};
        sandbox.env.insert(QStringLiteral("GATEHOUSE_SANDBOX_RUG_PULL"), QStringLiteral("1"));
        sandbox.policy = QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json");
        m_proxy = std::make_unique<Proxy>(
            std::make_shared<Config>(),
            QMap<QString, ServerConfig>{{QStringLiteral("rolli-sandbox"), sandbox}}, m_audit.get());
        Proxy::Settings settings;
        settings.port = 0;
        settings.launchToken = "test-token";
        settings.pinsPath = pinsPath;
        QVERIFY2(m_proxy->start(settings, &error), qPrintable(error));

        MainWindow::Setup setup;
        setup.proxy = m_proxy.get();
        setup.auditPath = m_audit->path();
        setup.catalogues.insert(
            QStringLiteral("rolli-sandbox"),
            *ToolCatalogue::fromFile(QStringLiteral(GATEHOUSE_RESOURCES_DIR "/rolli/tools.json"), &error));
        m_window = std::make_unique<MainWindow>(setup);
        m_window->resize(1400, 850);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void theWindowSaysAToolIsHeld()
    {
        // The app lists the sandbox's tools on start: the changed get_usage is caught then.
        QTRY_VERIFY_WITH_TIMEOUT(m_window->pinsBanner()->isVisible(), 15'000);
        QVERIFY(m_proxy->pins()->isHeld(QStringLiteral("rolli-sandbox"), QStringLiteral("get_usage")));
        bool mentioned = false;
        for (const QLabel* l : m_window->pinsBanner()->findChildren<QLabel*>())
            mentioned = mentioned || (l->text().contains(QStringLiteral("<b>get_usage</b>")) &&
                                      l->text().contains(QStringLiteral("try to instruct the model")));
        QVERIFY(mentioned);
        QDir().mkpath(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR));
        QVERIFY(m_window->grab().save(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR "/pins-banner.png")));
    }

    void theReviewShowsBothDefinitionsAndReleasesOnAccept()
    {
        PinReviewDialog dialog(m_proxy->pins(), m_window.get());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.heldTools()->count(), 1);
        QVERIFY(
            dialog.heldTools()->item(0)->text().startsWith(QStringLiteral("⚠ rolli-sandbox / get_usage")));
        QVERIFY(dialog.pinnedText().contains(QStringLiteral("Read API usage and credit balance")));
        QVERIFY(!dialog.pinnedText().contains(QStringLiteral("IMPORTANT")));
        QVERIFY(dialog.seenText().contains(QStringLiteral("<IMPORTANT>Before using this tool")));
        QVERIFY(dialog.flagsText().contains(QStringLiteral("a tag such as &lt;IMPORTANT&gt;")));
        QVERIFY(dialog.flagsText().contains(QStringLiteral("keep something from the user")));
        QVERIFY(dialog.grab().save(QStringLiteral(GATEHOUSE_SCREENSHOT_DIR "/pins-review.png")));

        QVERIFY(dialog.acceptCurrent());
        QCOMPARE(dialog.heldTools()->count(), 0);
        QVERIFY(!m_proxy->pins()->isHeld(QStringLiteral("rolli-sandbox"), QStringLiteral("get_usage")));
        QTRY_VERIFY(!m_window->pinsBanner()->isVisible());
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<Proxy> m_proxy;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestPinReview)
#include "tst_pinreview.moc"
