// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditLog.h"

#include "AuditRow.h"
#include "AuditSchema.h"
#include "base/PrivateFiles.h"

#include "json/JsonWriter.h"
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QThread>
#include <atomic>

namespace gatehouse {

Q_LOGGING_CATEGORY(lcAudit, "gatehouse.audit")

namespace {

constexpr int MaxBatch = 2000;
const QString Genesis = QString(64, u'0');
std::atomic<int> connectionCounter{0};

QString chainHash(const QString& prev, const AuditRow& row)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(prev.toLatin1());
    h.addData("\n");
    h.addData(row.canonical());
    return QString::fromLatin1(h.result().toHex());
}

// The writer makes and upgrades the schema; verify() only reads (a copy may be read-only).
enum class SchemaUse
{
    Upgrade,
    ReadOnly
};

QSqlDatabase openDatabase(const QString& path, QString* error, SchemaUse schema = SchemaUse::Upgrade)
{
    const QString name = QStringLiteral("gatehouse-audit-%1").arg(connectionCounter++);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        *error = db.lastError().text();
        return db;
    }
    if (schema == SchemaUse::ReadOnly)
        auditschema::checkReadable(db, error);
    else
        auditschema::prepareForWriting(db, error);
    return db;
}

QString meta(QSqlDatabase& db, const QString& key, const QString& fallback)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    q.addBindValue(key);
    return q.exec() && q.next() ? q.value(0).toString() : fallback;
}

} // namespace

QString AuditLog::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/gatehouse/audit.sqlite");
}

AuditLog::AuditLog(QString path, Options options, QObject* parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_options(std::move(options))
{}

AuditLog::~AuditLog()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool AuditLog::open(QString* error)
{
    // Who called what, when, with which arguments: private to the user, created so, repaired if not.
    for (const QString& note : privatefiles::ensureDatabase(m_path))
        qCWarning(lcAudit).noquote() << note;
    // One writer per log: a second proxy on the same file would fork the hash chain.
    qint64 pid = 0;
    m_lock = privatefiles::lockForWriting(m_path, &pid);
    if (!m_lock) {
        *error =
            QStringLiteral("%1 is in use by another gatehouse (pid %2); give this one its own --audit file")
                .arg(m_path)
                .arg(pid);
        return false;
    }
    std::unique_lock lock(m_mutex);
    m_thread = std::thread([this] { run(); });
    m_idle.wait(lock, [this] { return m_opened || !m_openError.isEmpty(); });
    if (!m_openError.isEmpty()) {
        *error = m_openError;
        return false;
    }
    return true;
}

void AuditLog::append(const CallRecord& record, std::function<void(bool)> durable)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back({record, std::move(durable)});
    }
    m_wake.notify_one();
}

void AuditLog::flush()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_queue.empty() && !m_busy; });
}

qint64 AuditLog::rowsWritten() const
{
    std::lock_guard lock(m_mutex);
    return m_written;
}

void AuditLog::run()
{
    QString error;
    QSqlDatabase db = openDatabase(m_path, &error);
    QString prev = Genesis;
    qint64 seq = 0;
    if (error.isEmpty()) {
        resumeChain(db, &seq, &prev);
        applyRetention(db);
    }
    {
        std::lock_guard lock(m_mutex);
        m_openError = error;
        m_opened = error.isEmpty();
    }
    m_idle.notify_all();
    if (!error.isEmpty())
        return;

    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO calls (%1, prev_hash, hash) VALUES (%2?, ?)")
                       .arg(AuditRow::columns().join(QStringLiteral(", ")),
                            QStringLiteral("?, ").repeated(AuditRow::columns().size())));
    QElapsedTimer sinceRetention;
    sinceRetention.start();
    for (std::deque<Item> batch = takeBatch(); !batch.empty(); batch = takeBatch()) {
        const bool ok = writeBatch(db, insert, batch, &seq, &prev);
        settle(std::move(batch), ok);
        if (sinceRetention.elapsed() > 3'600'000) {
            applyRetention(db);
            sinceRetention.restart();
        }
        {
            std::lock_guard lock(m_mutex);
            m_busy = false;
        }
        m_idle.notify_all();
    }
    insert = QSqlQuery();
    const QString name = db.connectionName();
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

void AuditLog::resumeChain(QSqlDatabase& db, qint64* seq, QString* prev)
{
    QSqlQuery last(db);
    if (last.exec(QStringLiteral("SELECT seq, hash FROM calls ORDER BY seq DESC LIMIT 1")) && last.next()) {
        *seq = last.value(0).toLongLong();
        *prev = last.value(1).toString();
    } else { // every row aged out: the chain goes on from the anchor retention left
        *seq = meta(db, QStringLiteral("anchor_seq"), QStringLiteral("0")).toLongLong();
        *prev = meta(db, QStringLiteral("anchor_hash"), Genesis);
    }
}

std::deque<AuditLog::Item> AuditLog::takeBatch()
{
    std::deque<Item> batch;
    std::unique_lock lock(m_mutex);
    // Spin for a moment before sleeping: under steady traffic the next row comes within microseconds,
    // and a sleeping thread takes longer than that to wake.
    for (int spin = 0; spin < 64 && m_queue.empty() && !m_stop; ++spin) {
        lock.unlock();
        std::this_thread::yield();
        lock.lock();
    }
    m_wake.wait(lock, [this] { return m_stop || !m_queue.empty(); });
    const size_t n = std::min<size_t>(m_queue.size(), MaxBatch);
    batch.insert(batch.end(), std::make_move_iterator(m_queue.begin()),
                 std::make_move_iterator(m_queue.begin() + n));
    m_queue.erase(m_queue.begin(), m_queue.begin() + n);
    m_busy = !batch.empty();
    return batch;
}

bool AuditLog::writeBatch(QSqlDatabase& db, QSqlQuery& insert, const std::deque<Item>& batch, qint64* seq,
                          QString* prev)
{
    bool ok = db.transaction();
    const QString chainStart = *prev;
    const qint64 seqStart = *seq;
    for (const Item& item : batch) {
        if (!ok)
            break;
        const AuditRow row =
            AuditRow::from(*seq + 1, item.record, m_options.fullArgumentServers.contains(item.record.server));
        const QString hash = chainHash(*prev, row);
        row.bind(insert);
        insert.addBindValue(*prev);
        insert.addBindValue(hash);
        ok = insert.exec();
        if (ok) {
            *prev = hash;
            ++*seq;
        }
    }
    if (ok)
        ok = db.commit();
    if (!ok) {
        const QString why = insert.lastError().isValid() ? insert.lastError().text() : db.lastError().text();
        db.rollback();
        *prev = chainStart;
        *seq = seqStart;
        QMetaObject::invokeMethod(
            this, [this, why] { emit writeFailed(why); }, Qt::QueuedConnection);
    }
    return ok;
}

void AuditLog::settle(std::deque<Item> batch, bool ok)
{
    {
        std::lock_guard lock(m_mutex);
        if (ok)
            m_written += qint64(batch.size());
    }
    if (ok && !m_healthy.exchange(true))
        QMetaObject::invokeMethod(
            this, [this] { emit recovered(); }, Qt::QueuedConnection);
    else if (!ok)
        m_healthy = false;
    // Answers go back to the proxy's thread, in order.
    QMetaObject::invokeMethod(
        this,
        [batch = std::move(batch), ok]() {
            for (const Item& item : batch)
                if (item.durable)
                    item.durable(ok);
        },
        Qt::QueuedConnection);
}

void AuditLog::applyRetention(QSqlDatabase& db)
{
    if (m_options.retentionDays <= 0 && m_options.retentionRows <= 0)
        return;
    QSqlQuery q(db);
    qint64 cutSeq = 0;
    if (m_options.retentionDays > 0) {
        q.prepare(QStringLiteral("SELECT MAX(seq) FROM calls WHERE time < ?"));
        q.addBindValue(
            QDateTime::currentDateTimeUtc().addDays(-m_options.retentionDays).toString(Qt::ISODateWithMs));
        if (q.exec() && q.next())
            cutSeq = q.value(0).toLongLong();
    }
    if (m_options.retentionRows > 0 && q.exec(QStringLiteral("SELECT MAX(seq) FROM calls")) && q.next())
        cutSeq = std::max(cutSeq, q.value(0).toLongLong() - m_options.retentionRows);
    if (cutSeq <= 0)
        return;
    // The chain stays verifiable: the last removed row's hash becomes the anchor of the first kept one.
    q.prepare(QStringLiteral("SELECT seq, hash FROM calls WHERE seq <= ? ORDER BY seq DESC LIMIT 1"));
    q.addBindValue(cutSeq);
    if (!q.exec() || !q.next())
        return;
    const qint64 anchorSeq = q.value(0).toLongLong();
    const QString anchorHash = q.value(1).toString();
    db.transaction();
    q.prepare(QStringLiteral("DELETE FROM calls WHERE seq <= ?"));
    q.addBindValue(anchorSeq);
    q.exec();
    q.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('anchor_seq', ?), ('anchor_hash', ?)"));
    q.addBindValue(QString::number(anchorSeq));
    q.addBindValue(anchorHash);
    q.exec();
    db.commit();
}

AuditLog::Verification AuditLog::verify(const QString& path)
{
    Verification v;
    if (!QFileInfo::exists(path)) {
        v.problem = QStringLiteral("no audit log at %1").arg(path);
        return v;
    }
    QString error;
    {
        QSqlDatabase db = openDatabase(path, &error, SchemaUse::ReadOnly);
        if (!error.isEmpty()) {
            v.problem = error;
        } else {
            qint64 expectedSeq = meta(db, QStringLiteral("anchor_seq"), QStringLiteral("0")).toLongLong() + 1;
            QString prev = meta(db, QStringLiteral("anchor_hash"), Genesis);
            QSqlQuery q(db);
            q.setForwardOnly(true);
            q.exec(QStringLiteral("SELECT %1, prev_hash, hash FROM calls ORDER BY seq")
                       .arg(AuditRow::columns().join(QStringLiteral(", "))));
            v.intact = true;
            while (q.next()) {
                const QSqlRecord rec = q.record();
                const AuditRow row = AuditRow::fromSql(rec);
                const qint64 seq = rec.value(QStringLiteral("seq")).toLongLong();
                QString why;
                if (seq != expectedSeq)
                    why = QStringLiteral("row %1 is missing").arg(expectedSeq);
                else if (rec.value(QStringLiteral("prev_hash")).toString() != prev)
                    why = QStringLiteral("its prev_hash does not match the row before it");
                else if (chainHash(prev, row) != rec.value(QStringLiteral("hash")).toString())
                    why = QStringLiteral("its content does not match its hash (edited)");
                if (!why.isEmpty()) {
                    v.intact = false;
                    v.firstBrokenSeq = seq;
                    v.problem = why;
                    break;
                }
                prev = rec.value(QStringLiteral("hash")).toString();
                ++expectedSeq;
                ++v.rows;
            }
        }
        const QString name = db.connectionName();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    return v;
}

} // namespace gatehouse
