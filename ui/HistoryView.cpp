// SPDX-License-Identifier: GPL-3.0-or-later
#include "HistoryView.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlQueryModel>
#include <QTableView>
#include <QUuid>
#include <QVBoxLayout>

namespace gatehouse::ui {

HistoryView::HistoryView(const QString& auditPath, QWidget* parent)
    : QWidget(parent)
    , m_connection(QStringLiteral("history-") + QUuid::createUuid().toString(QUuid::Id128))
    , m_path(auditPath)
    , m_filter(new QLineEdit(this))
    , m_count(new QLabel(this))
    , m_table(new QTableView(this))
    , m_model(new QSqlQueryModel(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_filter->setPlaceholderText(tr("Search tool, grant, rule, verdict or approver"));
    m_filter->setClearButtonEnabled(true);
    auto* refresh = new QPushButton(tr("&Refresh"), this);
    bar->addWidget(m_filter, 1);
    bar->addWidget(refresh);
    bar->addWidget(m_count);
    layout->addLayout(bar);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    layout->addWidget(m_table, 1);
    connect(refresh, &QPushButton::clicked, this, &HistoryView::refresh);
    connect(m_filter, &QLineEdit::returnPressed, this, &HistoryView::refresh);

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
}

HistoryView::~HistoryView()
{
    m_model->clear();
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
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.isOpen() && !db.open()) {
        m_count->setText(tr("Cannot read the audit log: %1").arg(db.lastError().text()));
        return;
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "SELECT seq AS \"#\", time AS \"Time (UTC)\", grant_label AS \"Grant\", server AS \"Server\", tool "
        "AS \"Tool\", "
        "verdict AS \"Verdict\", outcome AS \"Outcome\", rule AS \"Rule\", approver AS \"Approver\", "
        "round(latency_ms, 1) AS \"ms\", message AS \"Message\" FROM calls "
        "WHERE (? = '' OR tool LIKE ? OR grant_label LIKE ? OR rule LIKE ? OR verdict LIKE ? OR approver "
        "LIKE ?) "
        "ORDER BY seq DESC LIMIT 5000"));
    const QString f = m_filter->text().trimmed();
    q.addBindValue(f);
    for (int i = 0; i < 5; ++i)
        q.addBindValue(QString(u'%' + f + u'%'));
    if (!q.exec()) {
        m_count->setText(tr("Cannot read the audit log: %1").arg(q.lastError().text()));
        return;
    }
    m_model->setQuery(std::move(q));
    m_table->resizeColumnsToContents();
    m_count->setText(tr("%n call(s) (newest 5,000 at most)", nullptr, m_model->rowCount()));
}

} // namespace gatehouse::ui
