// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectBanner.h"

#include <QEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace gatehouse::ui {

ConnectBanner::ConnectBanner(const Connection& c, QWidget* parent)
    : QFrame(parent)
    , m_connection(c)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    applyColours();
    auto* layout = new QHBoxLayout(this);
    m_text =
        new QLabel(tr("<b>Connect your agent.</b> Gatehouse is guarding <b>%1</b> at <code>%2</code> "
                      "(token for this launch: <code>%3</code>).")
                       .arg(c.serverName.toHtmlEscaped(), c.url.toHtmlEscaped(), c.token.toHtmlEscaped()),
                   this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_text, 1);
    auto* connectButton = new QPushButton(tr("Connect a client…"), this);
    connectButton->setToolTip(
        tr("Write Gatehouse into Claude Desktop's, Cursor's or VS Code's MCP configuration, "
           "or copy the snippet"));
    connect(connectButton, &QPushButton::clicked, this, &ConnectBanner::connectClient);
    layout->addWidget(connectButton);
    m_try = new QPushButton(tr("Try a risky call"), this);
    m_try->setToolTip(
        tr("Sends rerun_agent_run eleven times through the call console: the eleventh is limited"));
    connect(m_try, &QPushButton::clicked, this, &ConnectBanner::tryRiskyCall);
    layout->addWidget(m_try);
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

void ConnectBanner::setServers(const QStringList& names, const QString& baseUrl, bool rolli)
{
    if (names.size() == 1) {
        m_text->setText(tr("<b>Connect your agent.</b> Gatehouse is guarding <b>%1</b> at <code>%2</code> "
                           "(token for this launch: <code>%3</code>).")
                            .arg(names.first().toHtmlEscaped(),
                                 QString(baseUrl + QStringLiteral("/mcp/") + names.first()).toHtmlEscaped(),
                                 m_connection.token.toHtmlEscaped()));
    } else {
        QStringList bold;
        for (const QString& n : names)
            bold << QStringLiteral("<b>%1</b>").arg(n.toHtmlEscaped());
        m_text->setText(
            tr("<b>Connect your agent.</b> Gatehouse is guarding %1, each at <code>%2/mcp/NAME</code> "
               "(token for this launch: <code>%3</code>).")
                .arg(bold.join(QStringLiteral(", ")), baseUrl.toHtmlEscaped(),
                     m_connection.token.toHtmlEscaped()));
    }
    m_try->setText(rolli ? tr("Try a risky call") : tr("Try a call"));
    m_try->setToolTip(
        rolli ? tr("Sends rerun_agent_run eleven times through the call console: the eleventh is "
                   "limited")
              : tr("Opens the Console: choose a tool of your server and call it through the proxy"));
}

QString ConnectBanner::text() const
{
    return m_text->text();
}

void ConnectBanner::applyColours()
{
    // From the application's palette, not the widget's own (which carries the banner's last colours).
    QPalette p = QGuiApplication::palette();
    p.setColor(QPalette::Window,
               p.color(QPalette::Highlight).lighter(p.color(QPalette::Base).lightness() < 128 ? 60 : 185));
    setPalette(p);
}

void ConnectBanner::changeEvent(QEvent* event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::ApplicationPaletteChange)
        applyColours();
}

} // namespace gatehouse::ui
