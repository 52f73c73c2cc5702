// SPDX-License-Identifier: GPL-3.0-or-later
#include "ServerPane.h"

#include "ServedServer.h"
#include "Tones.h"
#include "proxy/PolicyGate.h"
#include "proxy/UpstreamServer.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTime>
#include <QVBoxLayout>

namespace gatehouse::ui {

ServerPane::ServerPane(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_status(new QLabel(this))
    , m_details(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
    , m_start(new QPushButton(tr("Start"), this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_unguard(new QPushButton(tr("Unguard…"), this))
{
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setAccessibleName(tr("Server log"));
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto* restart = new QPushButton(tr("Restart"), this);
    auto* edit = new QPushButton(tr("Edit…"), this);
    auto* remove = new QPushButton(tr("Remove…"), this);
    m_start->setObjectName(QStringLiteral("start"));
    m_stop->setObjectName(QStringLiteral("stop"));
    restart->setObjectName(QStringLiteral("restart"));
    edit->setObjectName(QStringLiteral("edit"));
    remove->setObjectName(QStringLiteral("remove"));
    m_unguard->setObjectName(QStringLiteral("unguard"));
    connect(m_start, &QPushButton::clicked, this, &ServerPane::startRequested);
    connect(m_stop, &QPushButton::clicked, this, &ServerPane::stopRequested);
    connect(restart, &QPushButton::clicked, this, &ServerPane::restartRequested);
    connect(edit, &QPushButton::clicked, this, &ServerPane::editRequested);
    connect(remove, &QPushButton::clicked, this, &ServerPane::removeRequested);
    connect(m_unguard, &QPushButton::clicked, this, &ServerPane::unguardRequested);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_start, m_stop, restart, edit, remove, m_unguard})
        buttons->addWidget(b);
    buttons->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_status);
    layout->addWidget(m_details);
    layout->addLayout(buttons);
    layout->addWidget(new QLabel(tr("Recent log (the server's own output included):"), this));
    layout->addWidget(m_log, 1);
}

QPushButton* ServerPane::button(const QString& objectName) const
{
    return findChild<QPushButton*>(objectName);
}

void ServerPane::setServer(ServedServer* server, const QString& guarding)
{
    if (m_server)
        disconnect(m_server->upstream(), nullptr, this, nullptr),
            disconnect(m_server, nullptr, this, nullptr);
    m_server = server;
    m_guarding = guarding;
    m_log->clear();
    if (server) {
        m_log->setPlainText(server->upstream()->recentLog().join(u'\n'));
        connect(server->upstream(), &UpstreamServer::logLine, this, [this](const QString& line) {
            m_log->appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss ")) + line);
        });
        connect(server->upstream(), &UpstreamServer::stateChanged, this, &ServerPane::refresh);
        connect(server, &ServedServer::statusChanged, this, &ServerPane::refresh);
        connect(server, &ServedServer::policyStateChanged, this, &ServerPane::refresh);
        m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    }
    refresh();
}

void ServerPane::refresh()
{
    setEnabled(m_server);
    if (!m_server) {
        m_title->setText(tr("No server"));
        m_status->clear();
        m_details->clear();
        return;
    }
    const UpstreamServer* u = m_server->upstream();
    m_title->setText(m_server->name());
    const bool bad = u->state() == UpstreamServer::State::Exited || !m_server->isReachable();
    QPalette p = palette();
    p.setColor(QPalette::WindowText, bad ? tone(Tone::Bad, p) : palette().color(QPalette::WindowText));
    m_status->setPalette(p);
    QString status = tr("Status: %1").arg(m_server->status());
    if (!u->lastError().isEmpty())
        status += u'\n' + tr("Last error: %1").arg(u->lastError());
    m_status->setText(status);
    const QString policy = m_server->gate()->policyFile();
    QStringList details{
        (m_server->transport() == u"stdio" ? tr("Command: %1") : tr("URL: %1")).arg(u->describe()),
        tr("Agents connect to: %1").arg(m_server->url()),
        policy.isEmpty()         ? tr("Policy: none — every call is refused")
        : !m_server->hasPolicy() ? tr("Policy: %1 (not in force yet — every call is refused)").arg(policy)
                                 : tr("Policy: %1").arg(policy)};
    if (!m_guarding.isEmpty())
        details << tr("Guards: %1").arg(m_guarding);
    m_details->setText(details.join(u'\n'));
    const bool stopped = u->state() == UpstreamServer::State::Stopped;
    m_start->setEnabled(stopped);
    m_stop->setEnabled(!stopped);
    m_unguard->setVisible(!m_guarding.isEmpty());
}

} // namespace gatehouse::ui
