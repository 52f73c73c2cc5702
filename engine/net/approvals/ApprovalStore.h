// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "approvals/ApprovalBroker.h"

#include <QLockFile>
#include <QSqlDatabase>
#include <QString>
#include <memory>

namespace gatehouse {

// The approvals on disk, beside the audit log, so that a call held for a person outlives the request
// that asked, the agent's connection and Gatehouse itself. The broker is its only user; this is the
// file's only writer. Each change is written before the broker acts on it (approvals are few, so the
// writes are small and synchronous). The schema's version is SQLite's user_version:
//   1  approvals: one row per approval, its request and answer as JSON (an ended approval keeps the
//      arguments' hash only: the audit log is where arguments are kept, if they are)
// and beside it, made on every open without a version step (so that an older Gatehouse still opens the
// file and ignores it): secrets, keys made once per file (the approval page's links are signed with one),
// so that what was handed out before a restart still holds after it.
class ApprovalStore
{
public:
    static constexpr int SchemaVersion = 1;
    static constexpr int SecretBytes = 32;
    // How long ended approvals are kept in the file, for `approvals list --all` and support.
    static constexpr int KeepEndedDays = 30;

    // ":memory:" keeps them in this process only (tests, and the broker before a file is given).
    explicit ApprovalStore(QString path);
    ~ApprovalStore();
    ApprovalStore(const ApprovalStore&) = delete;
    ApprovalStore& operator=(const ApprovalStore&) = delete;

    // Where approvals live by default: beside the audit log (approvals.sqlite beside audit.sqlite,
    // NAME-approvals.sqlite beside NAME.sqlite).
    static QString pathBeside(const QString& auditPath);

    // Opens (or makes) the file. False, with why and how to recover, when it cannot be used.
    bool open(QString* error);
    const QString& path() const { return m_path; }

    // The approvals that are not over: pending ones, and answers still waiting for the agent's retry.
    QList<Approval> unfinished(QString* error);
    // Writes the approval as it is now. False, with why, when the file refuses (disk full, read-only).
    bool save(const Approval& approval, QString* error);
    // One approval as this file has it, ended ones too (kept KeepEndedDays).
    std::optional<Approval> find(const QString& id);
    // One approval as the file has it, read without taking the file from a running Gatehouse (for
    // `gatehouse audit show`). Nothing (and why) when the file or the approval is not there.
    static std::optional<Approval> read(const QString& path, const QString& id, QString* error);

    // The key of this name, made (random, SecretBytes long) the first time it is asked for. Empty, with
    // why, when the file refuses.
    QByteArray secret(const QString& name, QString* error);

    // Whether an id was ever used, so that a new approval never takes an old one's.
    bool knows(const QString& id);

private:
    QString m_path;
    QString m_connection;
    QSqlDatabase m_db;
    std::unique_ptr<QLockFile> m_lock; // one writer: a second proxy on the file would undo this one's answers
};

} // namespace gatehouse
