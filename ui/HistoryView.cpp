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
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTableView>
#include <QTimer>
#include <QUuid>
#include <QVBoxLayout>

namespace gatehouse::ui {

HistoryView::HistoryView(const QString& auditPath, QWidget* parent)
    : QWidget(parent)
    , m_connection(QStringLiteral("history-") + QUuid::createUuid().toString(QUuid::Id128))
    , m_path(auditPath)
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

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
}

HistoryView::~HistoryView()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

void HistoryView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refresh();
}

void HistoryView::refresh()
{
    m_topSeq = -1; // take in what was written since
    showPage(m_page);
}

void HistoryView::showPage(int page)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.isOpen() && !db.open()) {
        m_count->setText(tr("Cannot read the audit log: %1").arg(db.lastError().text()));
        return;
    }
    // A log an older version wrote, not yet opened by this one's writer, has no client column.
    const bool hasClient = db.record(QStringLiteral("calls")).contains(QStringLiteral("client"));
    QStringList where;
    QVariantList binds;
    const QString f = m_filter->text().trimmed();
    if (!f.isEmpty()) {
        QStringList columns{QStringLiteral("tool"),          QStringLiteral("grant_label"),
                            QStringLiteral("server"),        QStringLiteral("rule"),
                            QStringLiteral("verdict"),       QStringLiteral("outcome"),
                            QStringLiteral("approver"),      QStringLiteral("approval_note"),
                            QStringLiteral("argument_keys"), QStringLiteral("message")};
        if (hasClient)
            columns << QStringLiteral("client");
        QStringList any;
        for (const QString& c : std::as_const(columns)) {
            any << c + QStringLiteral(" LIKE ? ESCAPE '\\'");
            QString pattern = f;
            pattern.replace(u'\\', QStringLiteral("\\\\"))
                .replace(u'%', QStringLiteral("\\%"))
                .replace(u'_', QStringLiteral("\\_"));
            binds << QString(u'%' + pattern + u'%');
        }
        where << u'(' + any.join(QStringLiteral(" OR ")) + u')';
    }
    if (const int seconds = m_since->currentData().toInt(); seconds > 0) {
        where << QStringLiteral("time >= ?");
        binds << QDateTime::currentDateTimeUtc().addSecs(-seconds).toString(Qt::ISODateWithMs);
    }
    // Pages of one snapshot: rows written since the first page (the proxy keeps writing) wait for
    // Refresh instead of shifting "Older" by a row each.
    if (page == 0 || m_topSeq < 0) {
        QSqlQuery top(db);
        m_topSeq = top.exec(QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM calls")) && top.next()
                       ? top.value(0).toLongLong()
                       : 0;
    }
    where << QStringLiteral("seq <= ?");
    binds << m_topSeq;
    const QString clause = QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));

    QSqlQuery count(db);
    count.prepare(QStringLiteral("SELECT COUNT(*) FROM calls") + clause);
    for (const QVariant& b : std::as_const(binds))
        count.addBindValue(b);
    if (!count.exec() || !count.next()) {
        m_count->setText(tr("Cannot read the audit log: %1").arg(count.lastError().text()));
        return;
    }
    m_total = count.value(0).toLongLong();
    const int lastPage = m_total > 0 ? int((m_total - 1) / PageSize) : 0;
    m_page = std::clamp(page, 0, lastPage);

    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT * FROM calls%1 ORDER BY seq DESC LIMIT %2 OFFSET %3")
                  .arg(clause)
                  .arg(PageSize)
                  .arg(qint64(m_page) * PageSize));
    for (const QVariant& b : std::as_const(binds))
        q.addBindValue(b);
    if (!q.exec()) {
        m_count->setText(tr("Cannot read the audit log: %1").arg(q.lastError().text()));
        return;
    }
    std::vector<AuditRow> rows;
    rows.reserve(PageSize);
    while (q.next())
        rows.push_back(AuditRow::fromSql(q.record()));
    const bool first = m_model->rowCount() == 0;
    const int shown = int(rows.size());
    m_model->setRows(std::move(rows));
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
