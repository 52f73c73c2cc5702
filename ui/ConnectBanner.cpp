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
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    applyColours();
    auto* layout = new QHBoxLayout(this);
    auto* text =
        new QLabel(tr("<b>Connect your agent.</b> Gatehouse is guarding <b>%1</b> at <code>%2</code> "
                      "(token for this launch: <code>%3</code>).")
                       .arg(c.serverName.toHtmlEscaped(), c.url.toHtmlEscaped(), c.token.toHtmlEscaped()),
                   this);
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(text, 1);
    auto* connectButton = new QPushButton(tr("Connect a client…"), this);
    connectButton->setToolTip(
        tr("Write Gatehouse into Claude Desktop's, Cursor's or VS Code's MCP configuration, "
           "or copy the snippet"));
    connect(connectButton, &QPushButton::clicked, this, &ConnectBanner::connectClient);
    layout->addWidget(connectButton);
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
