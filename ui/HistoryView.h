// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "audit/AuditReader.h"

#include <QThread>
#include <QWidget>
#include <atomic>
#include <memory>

class QComboBox;
class QLineEdit;
class QLabel;
class QPushButton;
class QTableView;
class QTimer;

namespace gatehouse::ui {

class HistoryModel;
class JsonEdit;

// The audit log's viewer: past calls of every run, newest first, a page at a time with the true total
// ("1–500 of 12,345"), searched as you type and narrowed by time, in the same words as Live calls
// (agent, status, grant), and the whole stored row of the selected call (approval note, argument keys,
// message) beside it. Searched on a thread of its own (AuditReader): the window, and the proxy's calls
// on its event loop, never wait for a scan of a large log; the proxy's writer is never blocked (WAL).
class HistoryView : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryView(const QString& auditPath, QWidget* parent = nullptr);
    ~HistoryView() override;

    void refresh();
    QTableView* table() const { return m_table; }
    HistoryModel* model() const { return m_model; }
    qint64 total() const { return m_total; }
    int page() const { return m_page; }
    // Asks for a page; it is shown when the search is done (pageShown).
    void showPage(int page);
    bool isSearching() const { return m_searching; }
    QLineEdit* filterText() const { return m_filter; }
    QLabel* countLabel() const { return m_count; }
    JsonEdit* details() const { return m_details; }

    static constexpr int PageSize = 500;

signals:
    void pageShown();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void showDetails();
    void showResult(AuditPage result);

    // Lives on m_thread, with the reader's connection.
    struct Worker : QObject
    {
        explicit Worker(const QString& path)
            : reader(path)
        {}
        AuditReader reader;
    };
    QThread m_thread;
    Worker* m_worker;
    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
    bool m_searching = false;
    QString m_asked; // the search under way, or the last one (its time range in seconds, not a time)
    bool m_shownOnce = false;
    QLineEdit* m_filter;
    QComboBox* m_since;
    QLabel* m_count;
    QPushButton* m_newer;
    QPushButton* m_older;
    QTableView* m_table;
    HistoryModel* m_model;
    JsonEdit* m_details;
    QTimer* m_typing;
    qint64 m_total = 0;
    int m_page = 0;
    qint64 m_topSeq = -1; // the newest row of the snapshot being paged
};

} // namespace gatehouse::ui
