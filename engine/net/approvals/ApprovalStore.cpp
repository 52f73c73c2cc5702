// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalStore.h"

#include "base/PrivateFiles.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <atomic>

Q_DECLARE_LOGGING_CATEGORY(lcApprovals)

namespace gatehouse {

namespace {
std::atomic<int> connectionCounter{0};

QJsonValue timeJson(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(t.toString(Qt::ISODateWithMs)) : QJsonValue();
}

QDateTime timeOf(const QJsonValue& v)
{
    return v.isString() ? QDateTime::fromString(v.toString(), Qt::ISODateWithMs) : QDateTime();
}

QJsonObject toJson(const Approval& a)
{
    const ApprovalRequest& r = a.request;
    QJsonObject request{{QStringLiteral("server"), r.server},
                        {QStringLiteral("session"), r.session},
                        {QStringLiteral("grant"), r.grant},
                        {QStringLiteral("client"), r.client},
                        {QStringLiteral("tool"), r.tool},
                        {QStringLiteral("arguments"), r.arguments},
                        {QStringLiteral("sha256"), r.argumentsHash},
                        {QStringLiteral("risk"), r.riskClass},
                        {QStringLiteral("rule"), r.rule},
                        {QStringLiteral("message"), r.message},
                        {QStringLiteral("created"), timeJson(r.created)},
                        {QStringLiteral("deadline"), timeJson(r.deadline)}};
    const ApprovalAnswer& w = a.answer;
    QJsonObject answer{{QStringLiteral("outcome"), int(w.outcome)},
                       {QStringLiteral("decidedBy"), int(w.decidedBy)},
                       {QStringLiteral("approver"), w.approver},
                       {QStringLiteral("note"), w.note}};
    if (w.choice)
        answer.insert(QStringLiteral("choice"), approvalChoiceName(*w.choice));
    if (w.editedArguments)
        answer.insert(QStringLiteral("editedArguments"), *w.editedArguments);
    return {{QStringLiteral("request"), request},
            {QStringLiteral("answer"), answer},
            {QStringLiteral("decided"), timeJson(a.decided)},
            {QStringLiteral("validUntil"), timeJson(a.validUntil)},
            {QStringLiteral("lastCall"), timeJson(a.lastCall)},
            {QStringLiteral("calls"), a.calls},
            {QStringLiteral("timeoutSeconds"), a.terms.timeoutSeconds},
            {QStringLiteral("onTimeout"), timeoutOutcomeName(a.terms.onTimeout)},
            {QStringLiteral("validSeconds"), a.terms.validSeconds},
            {QStringLiteral("withdrawOnCancel"), a.terms.withdrawOnCancel},
            {QStringLiteral("webhook"), a.terms.webhookUrl},
            // The policy's own secret is in its file already; an environment's is never written.
            {QStringLiteral("webhookSecret"), a.terms.webhookSecret},
            {QStringLiteral("webhookSecretEnv"), a.terms.webhookSecretEnv}};
}

std::optional<Approval> fromJson(const QString& id, ApprovalState state, const QJsonObject& o)
{
    const QJsonObject r = o.value(QStringLiteral("request")).toObject();
    const QJsonObject w = o.value(QStringLiteral("answer")).toObject();
    if (r.isEmpty())
        return std::nullopt;
    Approval a;
    a.state = state;
    a.request.id = id;
    a.request.server = r.value(QStringLiteral("server")).toString();
    a.request.session = r.value(QStringLiteral("session")).toString();
    a.request.grant = r.value(QStringLiteral("grant")).toString();
    a.request.client = r.value(QStringLiteral("client")).toString();
    a.request.tool = r.value(QStringLiteral("tool")).toString();
    a.request.arguments = r.value(QStringLiteral("arguments")).toObject();
    a.request.argumentsHash = r.value(QStringLiteral("sha256")).toString();
    a.request.riskClass = r.value(QStringLiteral("risk")).toString();
    a.request.rule = r.value(QStringLiteral("rule")).toString();
    a.request.message = r.value(QStringLiteral("message")).toString();
    a.request.created = timeOf(r.value(QStringLiteral("created")));
    a.request.deadline = timeOf(r.value(QStringLiteral("deadline")));
    a.terms.timeoutSeconds = qMax(1, o.value(QStringLiteral("timeoutSeconds")).toInt(1));
    a.terms.onTimeout = o.value(QStringLiteral("onTimeout")).toString() == u"allow" ? TimeoutOutcome::Allow
                                                                                    : TimeoutOutcome::Deny;
    a.terms.validSeconds = qMax(1, o.value(QStringLiteral("validSeconds")).toInt(1));
    a.terms.withdrawOnCancel = o.value(QStringLiteral("withdrawOnCancel")).toBool();
    a.terms.webhookUrl = o.value(QStringLiteral("webhook")).toString();
    a.terms.webhookSecret = o.value(QStringLiteral("webhookSecret")).toString();
    a.terms.webhookSecretEnv = o.value(QStringLiteral("webhookSecretEnv")).toString();
    a.request.onTimeout = a.terms.onTimeout;
    a.answer.outcome = ApprovalAnswer::Outcome(qBound(0, w.value(QStringLiteral("outcome")).toInt(), 3));
    a.answer.decidedBy =
        ApprovalAnswer::DecidedBy(qBound(0, w.value(QStringLiteral("decidedBy")).toInt(), 2));
    a.answer.approver = w.value(QStringLiteral("approver")).toString();
    a.answer.note = w.value(QStringLiteral("note")).toString();
    a.answer.choice = approvalChoiceFromName(w.value(QStringLiteral("choice")).toString());
    if (w.value(QStringLiteral("editedArguments")).isObject())
        a.answer.editedArguments = w.value(QStringLiteral("editedArguments")).toObject();
    a.answer.approvalId = id;
    a.decided = timeOf(o.value(QStringLiteral("decided")));
    a.validUntil = timeOf(o.value(QStringLiteral("validUntil")));
    a.lastCall = timeOf(o.value(QStringLiteral("lastCall")));
    a.calls = o.value(QStringLiteral("calls")).toInt();
    return a;
}

// One row of "SELECT state, body", as the broker holds it.
std::optional<Approval> fromRow(const QString& id, const QSqlQuery& q)
{
    const auto state = approvalStateFromName(q.value(0).toString());
    return state ? fromJson(id, *state, QJsonDocument::fromJson(q.value(1).toByteArray()).object())
                 : std::nullopt;
}

QString recovery(const QString& path)
{
    return QStringLiteral("calls that need a person are refused until it can be used; free disk space or fix "
                          "its permissions, or move %1 aside (the approvals pending in it are then lost) and "
                          "start Gatehouse again")
        .arg(QDir::toNativeSeparators(path));
}
} // namespace

ApprovalStore::ApprovalStore(QString path)
    : m_path(std::move(path))
    , m_connection(QStringLiteral("gatehouse-approvals-%1").arg(connectionCounter++))
{}

ApprovalStore::~ApprovalStore()
{
    if (!m_db.isValid())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

QString ApprovalStore::pathBeside(const QString& auditPath)
{
    if (auditPath.isEmpty() || auditPath == u":memory:")
        return QStringLiteral(":memory:");
    // One approvals file per audit log: proxies that keep their logs side by side keep apart.
    const QFileInfo audit(auditPath);
    const QString base = audit.completeBaseName();
    return audit.absoluteDir().filePath(base == u"audit" ? QStringLiteral("approvals.sqlite")
                                                         : base + QStringLiteral("-approvals.sqlite"));
}

bool ApprovalStore::open(QString* error)
{
    if (m_path != u":memory:") {
        // Who asked to run what, with which arguments: for the user alone, like the audit log.
        const QString folder = QFileInfo(m_path).absolutePath();
        for (const QString& note : privatefiles::ensureDatabase(m_path))
            qCWarning(lcApprovals).noquote() << note;
        if (!QDir(folder).exists()) {
            *error = QStringLiteral("cannot make the folder of the approvals file %1; %2")
                         .arg(folder, recovery(m_path));
            return false;
        }
        qint64 pid = 0;
        m_lock = privatefiles::lockForWriting(m_path, &pid);
        if (!m_lock) {
            *error =
                QStringLiteral("the approvals file %1 is in use by another gatehouse (pid %2); give this "
                               "one its own with --approvals FILE")
                    .arg(m_path)
                    .arg(pid);
            return false;
        }
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(m_path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    auto fail = [&](const QString& what) {
        *error = QStringLiteral("the approvals file %1 %2; %3").arg(m_path, what, recovery(m_path));
        return false;
    };
    if (!m_db.open())
        return fail(QStringLiteral("cannot be opened (%1)").arg(m_db.lastError().text()));
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return fail(QStringLiteral("cannot be read (%1)").arg(q.lastError().text()));
    int version = q.value(0).toInt();
    if (version == 2) // what development builds wrote for the secrets table, which needs no version step
        version = SchemaVersion;
    if (version > SchemaVersion)
        return fail(QStringLiteral("is from a newer Gatehouse (schema %1)").arg(version));
    if (version < SchemaVersion) {
        const bool made =
            q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) &&
            q.exec(
                QStringLiteral("CREATE TABLE IF NOT EXISTS approvals (id TEXT PRIMARY KEY, state TEXT NOT "
                               "NULL, created TEXT NOT NULL, updated TEXT NOT NULL, body TEXT NOT NULL)")) &&
            q.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS approvals_state ON approvals(state)")) &&
            q.exec(QStringLiteral("PRAGMA user_version = %1").arg(SchemaVersion));
        if (!made)
            return fail(QStringLiteral("cannot be written (%1)").arg(q.lastError().text()));
    }
    if (!q.exec(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)")))
        return fail(QStringLiteral("cannot be written (%1)").arg(q.lastError().text()));
    // Ended approvals are kept a while, then dropped: the audit log is the record that lasts.
    q.prepare(QStringLiteral("DELETE FROM approvals WHERE state NOT IN ('pending', 'allowed', 'denied', "
                             "'expired') AND updated < ?"));
    q.addBindValue(QDateTime::currentDateTimeUtc().addDays(-KeepEndedDays).toString(Qt::ISODateWithMs));
    if (!q.exec())
        return fail(QStringLiteral("cannot be written (%1)").arg(q.lastError().text()));
    return true;
}

QList<Approval> ApprovalStore::unfinished(QString* error)
{
    QList<Approval> out;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT id, state, body FROM approvals WHERE state IN ('pending', 'allowed', "
                               "'denied', 'expired') ORDER BY created"))) {
        *error = QStringLiteral("the approvals file %1 cannot be read (%2); %3")
                     .arg(m_path, q.lastError().text(), recovery(m_path));
        return out;
    }
    while (q.next()) {
        const auto state = approvalStateFromName(q.value(1).toString());
        const QJsonObject body = QJsonDocument::fromJson(q.value(2).toByteArray()).object();
        if (const auto a = state ? fromJson(q.value(0).toString(), *state, body) : std::nullopt)
            out.append(*a);
    }
    return out;
}

bool ApprovalStore::save(const Approval& a, QString* error)
{
    QSqlQuery q(m_db);
    q.prepare(
        QStringLiteral("INSERT INTO approvals (id, state, created, updated, body) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated = excluded.updated, "
                       "body = excluded.body"));
    q.addBindValue(a.request.id);
    q.addBindValue(approvalStateName(a.state));
    q.addBindValue(a.request.created.toString(Qt::ISODateWithMs));
    q.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    QJsonObject body = toJson(a);
    if (!a.isOpen(QDateTime::currentDateTimeUtc())) { // over: nothing needs the arguments themselves any more
        QJsonObject request = body.value(QStringLiteral("request")).toObject();
        request.remove(QStringLiteral("arguments"));
        body.insert(QStringLiteral("request"), request);
        QJsonObject answer = body.value(QStringLiteral("answer")).toObject();
        answer.remove(QStringLiteral("editedArguments"));
        body.insert(QStringLiteral("answer"), answer);
        body.remove(QStringLiteral("webhookSecret"));
        body.remove(QStringLiteral("webhook"));
    }
    q.addBindValue(QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact)));
    if (q.exec())
        return true;
    *error = QStringLiteral("the approvals file %1 cannot be written (%2); %3")
                 .arg(m_path, q.lastError().text(), recovery(m_path));
    return false;
}

std::optional<Approval> ApprovalStore::find(const QString& id)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT state, body FROM approvals WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return fromRow(id, q);
}

std::optional<Approval> ApprovalStore::read(const QString& path, const QString& id, QString* error)
{
    if (!QFileInfo::exists(path)) {
        *error = QStringLiteral("no approvals file at %1").arg(path);
        return std::nullopt;
    }
    std::optional<Approval> found;
    const QString name = QStringLiteral("gatehouse-approvals-read-%1").arg(connectionCounter++);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        QSqlQuery q(db);
        if (!db.open() || !q.prepare(QStringLiteral("SELECT state, body FROM approvals WHERE id = ?"))) {
            *error = QStringLiteral("%1 cannot be read: %2").arg(path, db.lastError().text());
        } else {
            q.addBindValue(id);
            if (!q.exec())
                *error = QStringLiteral("%1 cannot be read: %2").arg(path, q.lastError().text());
            else if (!q.next())
                *error = QStringLiteral("no approval %1 in %2").arg(id, path);
            else
                found = fromRow(id, q);
        }
    }
    QSqlDatabase::removeDatabase(name);
    return found;
}

QByteArray ApprovalStore::secret(const QString& name, QString* error)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT value FROM secrets WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec()) { // never replaced on a failed read: that would void every link handed out
        *error = QStringLiteral("the approvals file %1 cannot be read (%2); %3")
                     .arg(m_path, q.lastError().text(), recovery(m_path));
        return {};
    }
    if (q.next() && q.value(0).toByteArray().size() >= SecretBytes)
        return q.value(0).toByteArray();
    QByteArray key(SecretBytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(key.data()),
                                         reinterpret_cast<quint32*>(key.data() + key.size()));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO secrets (name, value) VALUES (?, ?)"));
    q.addBindValue(name);
    q.addBindValue(key);
    if (q.exec())
        return key;
    *error = QStringLiteral("the approvals file %1 cannot be written (%2); %3")
                 .arg(m_path, q.lastError().text(), recovery(m_path));
    return {};
}

bool ApprovalStore::knows(const QString& id)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT 1 FROM approvals WHERE id = ?"));
    q.addBindValue(id);
    return q.exec() && q.next();
}

} // namespace gatehouse
