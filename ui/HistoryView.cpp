// SPDX-License-Identifier: GPL-3.0-or-later
#include "HistoryView.h"

#include "HistoryModel.h"
#include "JsonEdit.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace gatehouse::ui {

HistoryView::HistoryView(const QString& auditPath, QWidget* parent)
    : QWidget(parent)
    , m_worker(new Worker(auditPath))
    , m_filter(new QLineEdit(this))
    , m_since(new QComboBox(this))
    , m_count(new QLabel(this))
    , m_newer(new QPushButton(tr("‹ Newer"), this))
    , m_older(new QPushButton(tr("Older ›"), this))
    , m_table(new QTableView(this))
    , m_model(new HistoryModel(this))
    , m_details(new JsonEdit(this))
    , m_typing(new QTimer(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 6, 6, 0);
    m_filter->setPlaceholderText(tr("Search tool, agent, grant, rule, status words, approver, note"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Search the audit log"));
    m_since->addItem(tr("Any time"), 0);
    m_since->addItem(tr("Last hour"), 3600);
    m_since->addItem(tr("Last 24 hours"), 86400);
    m_since->addItem(tr("Last 7 days"), 7 * 86400);
    m_since->setAccessibleName(tr("Time range"));
    auto* refresh = new QPushButton(tr("Refresh"), this);
    refresh->setShortcut(QKeySequence::Refresh);
    refresh->setToolTip(tr("Take in the calls written since this page was read (%1)")
                            .arg(QKeySequence(QKeySequence::Refresh).toString(QKeySequence::NativeText)));
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_since);
    bar->addWidget(refresh);
    bar->addWidget(m_newer);
    bar->addWidget(m_older);
    bar->addWidget(m_count);
    layout->addLayout(bar);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTabKeyNavigation(false);
    m_table->setAccessibleName(tr("Audit log"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    for (int c : {int(HistoryModel::ArgumentKeys), int(HistoryModel::Rule), int(HistoryModel::Approver)})
        m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Stretch);
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select a call to see everything the audit log holds of it"));
    m_details->setAccessibleName(tr("Stored call"));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    // Searched as you type, once the typing pauses.
    m_typing->setSingleShot(true);
    m_typing->setInterval(250);
    connect(m_typing, &QTimer::timeout, this, [this] { showPage(0); });
    connect(m_filter, &QLineEdit::textChanged, m_typing, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::returnPressed, this, [this] { showPage(0); });
    connect(m_since, &QComboBox::activated, this, [this] { showPage(0); });
    connect(refresh, &QPushButton::clicked, this, &HistoryView::refresh);
    connect(m_newer, &QPushButton::clicked, this, [this] { showPage(m_page - 1); });
    connect(m_older, &QPushButton::clicked, this, [this] { showPage(m_page + 1); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &HistoryView::showDetails);

    m_worker->moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("history"));
    m_thread.start();
}

HistoryView::~HistoryView()
{
    // The reader's connection closes on its own thread, after the search under way (if any).
    m_latest->store(0);
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { delete w; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void HistoryView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // Shown again: the newest page is cheap to read (no text to match), so it is brought up to date; a
    // text search, which scans the whole log, runs again only when it changes or on Refresh.
    if (!m_shownOnce || m_filter->text().trimmed().isEmpty())
        refresh();
    m_shownOnce = true;
}

void HistoryView::refresh()
{
    m_topSeq = -1; // take in what was written since
    showPage(m_page);
}

void HistoryView::showPage(int page)
{
    AuditQuery query;
    query.toolCallsOnly = true; // approval receipts are told by `gatehouse audit show`, not as calls
    query.text = m_filter->text();
    const int seconds = m_since->currentData().toInt();
    // Pages of one snapshot: rows written since the first page (the proxy keeps writing) wait for
    // Refresh instead of shifting "Older" by a row each.
    query.upToSeq = page == 0 ? -1 : m_topSeq;
    query.page = page;
    query.pageSize = PageSize;
    const QString asked =
        QStringLiteral("%1\n%2\n%3\n%4").arg(query.text).arg(seconds).arg(page).arg(query.upToSeq);
    if (m_searching && asked == m_asked)
        return; // that very search is under way (Enter after typing, say)
    m_asked = asked;
    if (seconds > 0)
        query.since = QDateTime::currentDateTimeUtc().addSecs(-seconds);
    const quint64 ticket = ++*m_latest;
    m_searching = true;
    m_count->setText(tr("Searching…"));
    // On the reader's thread: a search of a large log never holds up the window, or the proxy's calls
    // that share its event loop. Only the newest request still runs when its turn comes.
    QMetaObject::invokeMethod(m_worker, [this, query, ticket, latest = m_latest, reader = m_worker] {
        if (latest->load() != ticket)
            return;
        AuditPage result = reader->reader.page(query);
        QMetaObject::invokeMethod(this, [this, ticket, result = std::move(result)]() mutable {
            if (ticket == m_latest->load())
                showResult(std::move(result));
        });
    });
}

void HistoryView::showResult(AuditPage result)
{
    m_searching = false;
    if (!result.error.isEmpty()) {
        m_count->setText(tr("Cannot read the audit log: %1").arg(result.error));
        emit pageShown();
        return;
    }
    m_topSeq = result.upToSeq;
    m_total = result.total;
    m_page = result.page;
    const int lastPage = m_total > 0 ? int((m_total - 1) / PageSize) : 0;
    const bool first = m_model->rowCount() == 0;
    const int shown = int(result.rows.size());
    m_model->setRows(std::move(result.rows));
    if (first)
        m_table->resizeColumnsToContents();
    const QLocale locale;
    m_count->setText(m_total == 0 ? tr("no calls")
                                  : tr("%1–%2 of %3 calls")
                                        .arg(locale.toString(qint64(m_page) * PageSize + 1),
                                             locale.toString(qint64(m_page) * PageSize + shown),
                                             locale.toString(m_total)));
    m_newer->setEnabled(m_page > 0);
    m_older->setEnabled(m_page < lastPage);
    showDetails();
    emit pageShown();
}

void HistoryView::showDetails()
{
    const AuditRow* r = m_model->row(m_table->currentIndex().row());
    if (!r) {
        m_details->clear();
        return;
    }
    QJsonObject o = QJsonDocument::fromJson(r->canonical()).object();
    o.insert(QStringLiteral("status"),
             m_model->index(m_table->currentIndex().row(), HistoryModel::Status).data().toString());
    m_details->setPlainText(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
}

} // namespace gatehouse::ui
