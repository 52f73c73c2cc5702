// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectBanner.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
QString json(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)).trimmed();
}
} // namespace

QString ConnectBanner::claudeDesktopConfig(const Connection& c)
{
    const QStringList args = c.stdioCommand.mid(1);
    return json(QJsonObject{
        {QStringLiteral("mcpServers"),
         QJsonObject{{QString(QStringLiteral("gatehouse-") + c.serverName),
                      QJsonObject{{QStringLiteral("command"), c.stdioCommand.value(0)},
                                  {QStringLiteral("args"), QJsonArray::fromStringList(args)}}}}}});
}

QString ConnectBanner::cursorConfig(const Connection& c)
{
    return json(QJsonObject{
        {QStringLiteral("mcpServers"),
         QJsonObject{{QString(QStringLiteral("gatehouse-") + c.serverName),
                      QJsonObject{{QStringLiteral("url"), c.url},
                                  {QStringLiteral("headers"),
                                   QJsonObject{{QStringLiteral("Authorization"),
                                                QString(QStringLiteral("Bearer ") + c.token)}}}}}}}});
}

QString ConnectBanner::vscodeConfig(const Connection& c)
{
    return json(QJsonObject{
        {QStringLiteral("servers"),
         QJsonObject{{QString(QStringLiteral("gatehouse-") + c.serverName),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("http")},
                                  {QStringLiteral("url"), c.url},
                                  {QStringLiteral("headers"),
                                   QJsonObject{{QStringLiteral("Authorization"),
                                                QString(QStringLiteral("Bearer ") + c.token)}}}}}}}});
}

ConnectBanner::ConnectBanner(const Connection& c, QWidget* parent)
    : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window,
               p.color(QPalette::Highlight).lighter(p.color(QPalette::Base).lightness() < 128 ? 60 : 185));
    setPalette(p);
    auto* layout = new QHBoxLayout(this);
    auto* text =
        new QLabel(tr("<b>Connect your agent.</b> Gatehouse is guarding <b>%1</b> at <code>%2</code> "
                      "(token for this launch: <code>%3</code>). Copy a configuration:")
                       .arg(c.serverName.toHtmlEscaped(), c.url.toHtmlEscaped(), c.token.toHtmlEscaped()),
                   this);
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(text, 1);
    const QList<QPair<QString, QString>> configs{{tr("Claude Desktop"), claudeDesktopConfig(c)},
                                                 {tr("Cursor"), cursorConfig(c)},
                                                 {tr("VS Code"), vscodeConfig(c)}};
    for (const auto& [name, config] : configs) {
        auto* copy = new QPushButton(tr("Copy for %1").arg(name), this);
        copy->setToolTip(QStringLiteral("<pre>%1</pre>").arg(config.toHtmlEscaped()));
        connect(copy, &QPushButton::clicked, this, [config] { QApplication::clipboard()->setText(config); });
        layout->addWidget(copy);
    }
    auto* risky = new QPushButton(tr("Try a risky call"), this);
    risky->setToolTip(
        tr("Sends rerun_agent_run eleven times through the call console: the eleventh is limited"));
    connect(risky, &QPushButton::clicked, this, &ConnectBanner::tryRiskyCall);
    layout->addWidget(risky);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Hide this banner (Help ▸ Connect your agent shows it again)"));
    close->setAutoRaise(true);
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        emit dismissed();
    });
    layout->addWidget(close);
}

} // namespace gatehouse::ui
