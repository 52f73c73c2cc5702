// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallConsole.h"

#include "JsonEdit.h"
#include "SchemaForm.h"
#include "ServedServer.h"
#include "Tones.h"
#include "proxy/LocalClient.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTime>
#include <QVBoxLayout>

namespace gatehouse::ui {

CallConsole::CallConsole(QWidget* parent)
    : QWidget(parent)
    , m_server(new QComboBox(this))
    , m_tool(new QComboBox(this))
    , m_grant(new QComboBox(this))
    , m_description(new QLabel(this))
    , m_form(new SchemaForm(this))
    , m_times(new QSpinBox(this))
    , m_send(new QPushButton(tr("&Send through the proxy"), this))
    , m_error(new QLabel(this))
    , m_log(new QListWidget(this))
    , m_response(new JsonEdit(this))
{
    auto* layout = new QHBoxLayout(this);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter);

    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    auto* pick = new QFormLayout;
    pick->addRow(tr("Se&rver:"), m_server);
    m_tool->setEditable(false);
    m_tool->setMaxVisibleItems(20);
    pick->addRow(tr("&Tool:"), m_tool);
    m_grant->setToolTip(tr("Who the call is from: a grant's limits and policy apply to it"));
    pick->addRow(tr("As &grant:"), m_grant);
    leftLayout->addLayout(pick);
    m_description->setWordWrap(true);
    m_description->setForegroundRole(QPalette::PlaceholderText);
    leftLayout->addWidget(m_description);
    auto* scroll = new QScrollArea(left);
    scroll->setWidgetResizable(true);
    scroll->setWidget(m_form);
    scroll->setFrameShape(QFrame::NoFrame);
    leftLayout->addWidget(scroll, 1);
    m_error->setStyleSheet(QStringLiteral("color: %1").arg(toneCss(Tone::Bad)));
    leftLayout->addWidget(m_error);
    auto* sendRow = new QHBoxLayout;
    m_times->setRange(1, 1000);
    m_times->setPrefix(tr("× "));
    m_times->setToolTip(tr("How many times to send it, one after another"));
    m_send->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_send->setToolTip(tr("Send (Ctrl+Return)"));
    auto* risky = new QPushButton(tr("Try a risky call"), this);
    risky->setToolTip(tr("Start a Rolli agent run, then cancel and rerun it like a stuck agent: ten reruns "
                         "go through, the eleventh is over the limit"));
    sendRow->addWidget(risky);
    sendRow->addStretch();
    sendRow->addWidget(m_times);
    sendRow->addWidget(m_send);
    leftLayout->addLayout(sendRow);

    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->addWidget(new QLabel(tr("Answers (newest first):"), right));
    m_log->setAccessibleName(tr("Console answers"));
    rightLayout->addWidget(m_log, 1);
    m_response->setReadOnly(true);
    m_response->setPlaceholderText(tr("The selected answer"));
    rightLayout->addWidget(m_response, 2);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    connect(m_server, &QComboBox::currentIndexChanged, this, &CallConsole::onServerChanged);
    connect(m_tool, &QComboBox::currentIndexChanged, this, &CallConsole::onToolChanged);
    connect(m_send, &QPushButton::clicked, this, [this] { send(m_times->value()); });
    connect(risky, &QPushButton::clicked, this, &CallConsole::tryRiskyCall);
    connect(m_log, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        m_response->setPlainText(item ? item->data(Qt::UserRole).toString() : QString());
    });
}

void CallConsole::setServers(const QList<ServedServer*>& servers)
{
    m_servers = servers;
    m_server->clear();
    for (ServedServer* s : servers) {
        disconnect(s, nullptr, this, nullptr); // set again when servers come and go
        m_server->addItem(s->name());
        connect(s, &ServedServer::catalogueChanged, this, [this, s] {
            if (currentServer() == s)
                onServerChanged();
        });
    }
}

ServedServer* CallConsole::currentServer() const
{
    const int i = m_server->currentIndex();
    return i >= 0 && i < m_servers.size() ? m_servers.at(i) : nullptr;
}

void CallConsole::onServerChanged()
{
    ServedServer* s = currentServer();
    const QString keepTool = m_tool->currentText();
    const QString keepGrant = m_grant->currentData().toString();
    m_tool->blockSignals(true);
    m_tool->clear();
    m_grant->clear();
    if (s) {
        for (const ToolInfo& t : s->catalogue().tools())
            m_tool->addItem(QStringLiteral("%1  (%2)").arg(t.name, t.riskClass), t.name);
        m_grant->addItem(tr("(this app)"), QString());
        for (const QString& g : s->grants())
            m_grant->addItem(g, g);
    }
    m_tool->setCurrentIndex(std::max(0, m_tool->findData(keepTool)));
    m_grant->setCurrentIndex(std::max(0, m_grant->findData(keepGrant)));
    m_tool->blockSignals(false);
    onToolChanged();
}

void CallConsole::onToolChanged()
{
    ServedServer* s = currentServer();
    const ToolInfo* info = s ? s->catalogue().find(m_tool->currentData().toString()) : nullptr;
    m_description->setText(info ? info->description : QString());
    m_form->setSchema(info ? info->inputSchema : QJsonObject());
    m_error->clear();
}

void CallConsole::select(const QString& server, const QString& tool)
{
    const int s = m_server->findText(server);
    if (s >= 0)
        m_server->setCurrentIndex(s);
    const int t = m_tool->findData(tool);
    if (t >= 0)
        m_tool->setCurrentIndex(t);
}

bool CallConsole::send(int times)
{
    QString error;
    const std::optional<QJsonObject> args = m_form->arguments(&error);
    if (!args || !currentServer() || m_tool->currentIndex() < 0) {
        m_error->setText(args ? tr("Pick a server and a tool") : error);
        return false;
    }
    m_error->clear();
    call(currentTarget(), m_tool->currentData().toString(), *args, times);
    return true;
}

CallConsole::Target CallConsole::currentTarget() const
{
    return {currentServer(), m_grant->currentData().toString()};
}

void CallConsole::rerunLoop(const Target& target, const QJsonObject& run, int done)
{
    // What a stuck agent does: its run "failed" (cancelled here, so the sandbox will rerun it), so it
    // reruns it, again and again. Ten reruns go through; the eleventh is over the 10/minute limit.
    if (done == RiskyReruns) {
        call(target, QStringLiteral("rerun_agent_run"), run, 1);
        return;
    }
    QPointer<CallConsole> self(this);
    call(target, QStringLiteral("cancel_agent_run"), run, 1, [self, target, run, done] {
        if (self)
            self->call(target, QStringLiteral("rerun_agent_run"), run, 1, [self, target, run, done] {
                if (self)
                    self->rerunLoop(target, run, done + 1);
            });
    });
}

void CallConsole::call(const Target& target, const QString& tool, const QJsonObject& arguments, int remaining,
                       std::function<void()> then)
{
    if (!target.server || remaining <= 0) { // the server went away: the run ends
        if (then && target.server)
            then();
        return;
    }
    QPointer<CallConsole> self(this);
    target.server->client(target.grant)
        ->callTool(tool, arguments,
                   [self, target, tool, arguments, remaining, then](const QJsonObject& response) {
                       if (!self)
                           return;
                       self->showResponse(tool, response);
                       self->call(target, tool, arguments, remaining - 1, then);
                   });
}

void CallConsole::showResponse(const QString& tool, const QJsonObject& response)
{
    const QJsonObject result = response.value(QStringLiteral("result")).toObject();
    QString text;
    QColor colour;
    if (response.contains(QStringLiteral("error"))) {
        text = tr("error: %1")
                   .arg(response.value(QStringLiteral("error"))
                            .toObject()
                            .value(QStringLiteral("message"))
                            .toString());
        colour = tone(Tone::Bad, palette());
    } else {
        const QString first = result.value(QStringLiteral("content"))
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("text"))
                                  .toString();
        const bool refused = result.value(QStringLiteral("_meta"))
                                 .toObject()
                                 .contains(QStringLiteral("io.modelcontextprotocol/authorization"));
        text = (result.value(QStringLiteral("isError")).toBool() ? tr("isError: ") : QString()) +
               first.left(160);
        colour = refused                                            ? tone(Tone::Warn, palette())
                 : result.value(QStringLiteral("isError")).toBool() ? tone(Tone::Failed, palette())
                                                                    : tone(Tone::Good, palette());
    }
    auto* item = new QListWidgetItem(
        QStringLiteral("%1  %2  %3")
            .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), tool, text.simplified()));
    item->setForeground(colour);
    item->setData(Qt::UserRole, QString::fromUtf8(QJsonDocument(response).toJson(QJsonDocument::Indented)));
    m_log->insertItem(0, item);
    m_log->setCurrentItem(item);
    emit answered(tool, response);
}

void CallConsole::tryRiskyCall()
{
    ServedServer* s = currentServer();
    if (!s || !s->catalogue().find(QStringLiteral("rerun_agent_run"))) {
        m_error->setText(tr("\"Try a risky call\" needs a Rolli server (the sandbox is the default)"));
        return;
    }
    select(s->name(), QStringLiteral("rerun_agent_run"));
    QPointer<CallConsole> self(this);
    const Target target = currentTarget();
    s->client(target.grant)
        ->callTool(QStringLiteral("start_agent_run"),
                   QJsonObject{{QStringLiteral("question"),
                                QStringLiteral("What are people saying about Gatehouse?")}},
                   [self, target](const QJsonObject& response) {
                       if (!self)
                           return;
                       self->showResponse(QStringLiteral("start_agent_run"), response);
                       // The run's id, from the structured result or the text.
                       const QJsonObject result = response.value(QStringLiteral("result")).toObject();
                       QJsonObject run = result.value(QStringLiteral("structuredContent")).toObject();
                       if (run.isEmpty())
                           run = QJsonDocument::fromJson(result.value(QStringLiteral("content"))
                                                             .toArray()
                                                             .first()
                                                             .toObject()
                                                             .value(QStringLiteral("text"))
                                                             .toString()
                                                             .toUtf8())
                                     .object();
                       const QJsonObject idOnly{{QStringLiteral("id"), run.value(QStringLiteral("id"))}};
                       self->m_form->setArguments(idOnly);
                       self->rerunLoop(target, idOnly, 0);
                   });
}

} // namespace gatehouse::ui
