// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/CallRecord.h"

#include <QLockFile>
#include <QObject>
#include <QSet>
#include <QSqlDatabase>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace gatehouse {

// The audit log: one SQLite row per decided tools/call (WAL mode), written by its own thread in
// batches, one transaction each. A call's answer is released to its client only once its row is
// committed: then even a SIGKILL right after loses no answered call (WAL with synchronous=NORMAL is
// durable against the process dying; the OS has the pages).
//
// Each row carries prev_hash and hash = SHA-256(prev_hash "\n" canonical row), a chain that
// verify() walks to find the first row that was edited, removed or inserted.
struct AuditOptions
{
    QSet<QString> fullArgumentServers; // servers whose full arguments are kept; others: keys + hash
    int retentionDays = 0;             // 0: keep forever
    qint64 retentionRows = 0;          // 0: no cap
};

class AuditLog : public QObject
{
    Q_OBJECT
public:
    using Options = AuditOptions;

    explicit AuditLog(QString path, Options options = {}, QObject* parent = nullptr);
    ~AuditLog() override;

    // Opens (creating if needed) the database and starts the writer. False with a reason if it cannot.
    bool open(QString* error);
    const QString& path() const { return m_path; }

    // Queues a row; `durable` runs on this object's thread once it is committed (true) or could not be
    // (false: the disk is full, the file read-only…).
    void append(const CallRecord& record, std::function<void(bool)> durable);
    // Blocks until everything queued so far is written (tests, shutdown).
    void flush();
    qint64 rowsWritten() const;
    // False from a failed commit until the next one succeeds: the proxy then refuses calls rather than
    // let them run unrecorded (unless told to carry on).
    bool isHealthy() const { return m_healthy.load(); }

    struct Verification
    {
        bool intact = false;
        qint64 rows = 0;
        qint64 firstBrokenSeq = -1;
        QString problem;
    };
    static Verification verify(const QString& path);
    static QString defaultPath();

signals:
    void writeFailed(const QString& error);
    void recovered(); // writes succeed again after a failure

private:
    struct Item
    {
        CallRecord record;
        std::function<void(bool)> durable;
    };
    void run();
    // The writer thread's steps: where the chain ends; the next batch (empty once stopped); one batch
    // written in one transaction (false: rolled back, the chain as it was); the answers, in order.
    void resumeChain(QSqlDatabase& db, qint64* seq, QString* prev);
    std::deque<Item> takeBatch();
    bool writeBatch(QSqlDatabase& db, QSqlQuery& insert, const std::deque<Item>& batch, qint64* seq,
                    QString* prev);
    void settle(std::deque<Item> batch, bool ok);
    void applyRetention(QSqlDatabase& db);

    QString m_path;
    Options m_options;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Item> m_queue;
    bool m_busy = false;
    std::atomic<bool> m_healthy{true};
    bool m_stop = false;
    bool m_opened = false;
    qint64 m_written = 0;
    QString m_openError;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace gatehouse
