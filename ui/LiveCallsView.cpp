// SPDX-License-Identifier: GPL-3.0-or-later
#include "LiveCallsView.h"

#include "CallTableModel.h"
#include "JsonEdit.h"

#include "json/JsonWriter.h"
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
using S = CallTableModel::CallStatus;
quint32 bit(S s)
{
    return 1u << int(s);
}
} // namespace

LiveCallsView::LiveCallsView(CallTableModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_text(new QLineEdit(this))
    , m_status(new QComboBox(this))
    , m_tool(new QComboBox(this))
    , m_grant(new QComboBox(this))
    , m_followButton(new QToolButton(this))
    , m_count(new QLabel(this))
    , m_table(new QTableView(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_summary(new QLabel(this))
    , m_request(new JsonEdit(this))
    , m_response(new JsonEdit(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 6, 6, 0);
    m_text->setPlaceholderText(tr("Filter: tool, argument, agent, rule, grant… (Ctrl+F)"));
    m_text->setMinimumWidth(160);
    // Combo boxes as wide as a short name, not their longest entry: the filter box keeps its room.
    for (QComboBox* c : {m_status, m_tool, m_grant}) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(8);
    }
    m_text->setClearButtonEnabled(true);
    m_text->setAccessibleName(tr("Filter text"));
    m_status->addItem(tr("All statuses"), 0u);
    m_status->addItem(tr("Refused (denied, limited, hidden, rejected)"),
                      bit(S::Denied) | bit(S::Limited) | bit(S::Hidden) | bit(S::Rejected));
    m_status->addItem(tr("Needs a person (pending, approved, rejected)"),
                      bit(S::Pending) | bit(S::Approved) | bit(S::ApprovedToolError) | bit(S::Rejected));
    for (int s = 0; s < int(S::Count); ++s)
        m_status->addItem(CallTableModel::statusName(S(s)), bit(S(s)));
    m_tool->addItem(tr("All tools"), QString());
    m_grant->addItem(tr("All grants"), QString());
    m_followButton->setText(tr("Follow"));
    m_followButton->setCheckable(true);
    m_followButton->setChecked(true);
    m_followButton->setToolTip(tr("Keep the newest call in view (scrolling up pauses it)"));
    bar->addWidget(m_text, 3);
    bar->addWidget(m_status, 2);
    bar->addWidget(m_tool, 1);
    bar->addWidget(m_grant, 1);
    bar->addWidget(m_followButton);
    bar->addWidget(m_count);
    layout->addLayout(bar);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    // Uniform rows: the view never measures a million of them.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setAccessibleName(tr("Live calls"));
    // Fixed columns as wide as their content needs; Arguments and Rule share what is left, so at
    // 1280 px every column (Status included) is in view.
    const QFontMetrics fm = m_table->fontMetrics();
    const int pad = fm.averageCharWidth() * 3;
    const QList<std::pair<int, int>> widths{
        {CallTableModel::Time, fm.horizontalAdvance(QStringLiteral("00:00:00.000")) + pad},
        {CallTableModel::Client, fm.horizontalAdvance(QStringLiteral("claude-code 1.0.0")) + pad},
        {CallTableModel::Grant, fm.horizontalAdvance(QStringLiteral("(launch token)")) + pad},
        {CallTableModel::Server, fm.horizontalAdvance(QStringLiteral("rolli-sandbox")) + pad},
        {CallTableModel::Tool, fm.horizontalAdvance(QStringLiteral("rerun_agent_run")) + pad},
        {CallTableModel::Status, fm.horizontalAdvance(QStringLiteral("approved · tool error")) + pad + 20},
        {CallTableModel::Latency, fm.horizontalAdvance(QStringLiteral("1234 ms")) + pad}};
    for (const auto& [column, width] : widths)
        m_table->setColumnWidth(column, width);
    for (int c : {int(CallTableModel::Arguments), int(CallTableModel::Rule)}) {
        m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Stretch);
    }

    auto* details = new QWidget(this);
    auto* detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(6, 0, 6, 6);
    auto* head = new QHBoxLayout;
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextBrowserInteraction);
    auto* copy = new QPushButton(tr("&Copy as JSON"), this);
    head->addWidget(m_summary, 1);
    head->addWidget(copy);
    detailsLayout->addLayout(head);
    auto* panes = new QSplitter(Qt::Horizontal, details);
    for (JsonEdit* e : {m_request, m_response}) {
        e->setReadOnly(true);
        panes->addWidget(e);
    }
    m_request->setPlaceholderText(tr("Request"));
    m_response->setPlaceholderText(tr("Response"));
    detailsLayout->addWidget(panes, 1);

    m_splitter->addWidget(m_table);
    m_splitter->addWidget(details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    layout->addWidget(m_splitter, 1);

    auto* debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(150);
    connect(m_text, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, &LiveCallsView::applyFilter);
    for (QComboBox* c : {m_status, m_tool, m_grant})
        connect(c, &QComboBox::activated, this, &LiveCallsView::applyFilter);
    connect(m_followButton, &QToolButton::toggled, this, &LiveCallsView::setFollowing);

    QScrollBar* sb = m_table->verticalScrollBar();
    connect(sb, &QScrollBar::rangeChanged, this, [this, sb](int, int max) {
        if (m_follow)
            sb->setValue(max);
    });
    connect(sb, &QScrollBar::actionTriggered, this, [this, sb] {
        // Only the person moves the bar with actions: up pauses following, the bottom resumes it.
        QTimer::singleShot(0, this, [this, sb] { setFollowing(sb->value() >= sb->maximum()); });
    });
    connect(m_model, &CallTableModel::callsAdded, this, [this] {
        m_count->setText(tr("%L1 of %L2").arg(m_model->rowCount()).arg(m_model->totalCount()));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LiveCallsView::showDetails);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& tl, const QModelIndex& br) {
                const int row = m_table->currentIndex().row();
                if (row >= tl.row() && row <= br.row())
                    showDetails();
            });
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(currentJson()); });
    connect(m_table, &QTableView::customContextMenuRequested, this, &LiveCallsView::onContextMenu);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const auto r = m_model->record(index.row());
        if (r)
            emit ruleRequested(r->server, r->tool);
    });
    // The tool and grant lists fill as calls arrive; refreshed when opened.
    auto* refresh = new QTimer(this);
    refresh->setInterval(2000);
    connect(refresh, &QTimer::timeout, this, &LiveCallsView::refreshChoices);
    refresh->start();
    showDetails();
}

void LiveCallsView::setFollowing(bool follow)
{
    m_follow = follow;
    m_followButton->setChecked(follow);
    if (follow)
        m_table->scrollToBottom();
}

void LiveCallsView::refreshChoices()
{
    for (auto [combo, items] : {std::pair{m_tool, m_model->tools()}, std::pair{m_grant, m_model->grants()}}) {
        if (combo->view()->isVisible())
            continue; // never under the person's pointer
        for (const QString& item : items)
            if (combo->findData(item) < 0)
                combo->addItem(item, item);
    }
}

void LiveCallsView::applyFilter()
{
    CallFilter f;
    f.text = m_text->text().trimmed();
    f.statuses = m_status->currentData().toUInt();
    f.tool = m_tool->currentData().toString();
    f.grant = m_grant->currentData().toString();
    m_model->setFilter(f);
    m_count->setText(tr("%L1 of %L2").arg(m_model->rowCount()).arg(m_model->totalCount()));
    if (m_follow)
        m_table->scrollToBottom();
}

QString LiveCallsView::currentJson() const
{
    const auto r = m_model->record(m_table->currentIndex().row());
    if (!r)
        return {};
    QJsonObject o{{QStringLiteral("time"), r->time.toString(Qt::ISODateWithMs)},
                  {QStringLiteral("client"), r->client},
                  {QStringLiteral("server"), r->server},
                  {QStringLiteral("grant"), r->grant},
                  {QStringLiteral("session"), r->session},
                  {QStringLiteral("tool"), r->tool},
                  {QStringLiteral("arguments"), r->arguments},
                  {QStringLiteral("status"), CallTableModel::statusName(CallTableModel::statusOf(*r))},
                  {QStringLiteral("verdict"), verdictName(r->verdict)},
                  {QStringLiteral("rule"), r->rule},
                  {QStringLiteral("message"), r->message},
                  {QStringLiteral("latency_ms"), r->latencyMs},
                  {QStringLiteral("upstream_ms"), r->upstreamMs},
                  {QStringLiteral("response"), r->response}};
    if (!r->approver.isEmpty())
        o.insert(QStringLiteral("approver"), r->approver);
    if (r->originalArguments)
        o.insert(QStringLiteral("arguments_sent_by_agent"), *r->originalArguments);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

void LiveCallsView::showDetails()
{
    const QModelIndex current = m_table->currentIndex();
    const auto r = current.isValid() ? m_model->record(current.row()) : std::nullopt;
    if (!r) {
        m_summary->setText(current.isValid()
                               ? tr("<i>Details of older calls are not kept in memory; "
                                    "export them with gatehouse audit export.</i>")
                               : tr("<i>Select a call to see its request, response and decision.</i>"));
        m_request->clear();
        m_response->clear();
        return;
    }
    const auto status = CallTableModel::statusOf(*r);
    QString timing;
    if (r->outcome == CallRecord::Outcome::Pending)
        timing = tr("waiting");
    else if (r->outcome == CallRecord::Outcome::Refused)
        timing = tr("refused after %1, never sent upstream").arg(CallTableModel::latencyText(r->latencyMs));
    else if (r->outcome == CallRecord::Outcome::Deferred)
        timing = tr("held %1 for a person, then the agent was told to call again; never sent upstream")
                     .arg(CallTableModel::latencyText(r->latencyMs));
    else
        timing =
            tr("total %1 · upstream %2")
                .arg(CallTableModel::latencyText(r->latencyMs), CallTableModel::latencyText(r->upstreamMs));
    if (!r->approver.isEmpty())
        timing += tr(" · decided by %1").arg(r->approver);
    if (r->originalArguments)
        timing += tr(" · arguments edited by a person (left: what went out; the agent's are below it)");
    m_summary->setText(
        tr("<b style='color:%1'>%2</b> &nbsp; <b>%3</b> on %4 from %9 &nbsp; rule <a href='rule'>%5</a><br>%6"
           "<br><small>arrived %7 · %8</small>")
            .arg(CallTableModel::statusColor(status).name(), CallTableModel::statusName(status).toUpper(),
                 r->tool.toHtmlEscaped(), r->server.toHtmlEscaped(),
                 (r->rule.isEmpty() ? tr("(none)") : r->rule).toHtmlEscaped(), r->message.toHtmlEscaped(),
                 r->time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")),
                 timing.toHtmlEscaped(),
                 (r->client.isEmpty() ? tr("an unnamed agent") : r->client).toHtmlEscaped()));
    disconnect(m_summary, &QLabel::linkActivated, nullptr, nullptr);
    connect(m_summary, &QLabel::linkActivated, this,
            [this, server = r->server, tool = r->tool] { emit ruleRequested(server, tool); });
    QJsonObject request{{QStringLiteral("name"), r->tool}, {QStringLiteral("arguments"), r->arguments}};
    if (r->originalArguments) // both sets: what went out, and what the agent asked for
        request.insert(QStringLiteral("arguments_sent_by_agent"), *r->originalArguments);
    m_request->setPlainText(QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Indented)));
    m_response->setPlainText(
        r->response.isEmpty()
            ? tr("(no response yet)")
            : QString::fromUtf8(QJsonDocument(r->response).toJson(QJsonDocument::Indented)));
}

void LiveCallsView::onContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_table->indexAt(pos);
    const auto r = index.isValid() ? m_model->record(index.row()) : std::nullopt;
    if (!r)
        return;
    QMenu menu(this);
    using policyedit::ToolState;
    const QString server = r->server, tool = r->tool;
    menu.addAction(tr("Deny %1").arg(tool), this,
                   [=, this] { emit toolStateRequested(server, tool, ToolState::Deny); });
    menu.addAction(tr("Limit %1…").arg(tool), this, [=, this] { emit limitRequested(server, tool); });
    menu.addAction(tr("Require approval for %1").arg(tool), this,
                   [=, this] { emit toolStateRequested(server, tool, ToolState::Approve); });
    menu.addSeparator();
    menu.addAction(tr("Open the rule in the editor"), this, [=, this] { emit ruleRequested(server, tool); });
    menu.addAction(tr("Copy as JSON"), this, [this] { QApplication::clipboard()->setText(currentJson()); });
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

} // namespace gatehouse::ui
