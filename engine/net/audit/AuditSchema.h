// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QSqlDatabase;

namespace gatehouse::auditschema {

// The audit log's schema has one owner: this. Its version is SQLite's user_version.
//   0  the first releases' file, unversioned (the client column may be missing)
//   1  calls with client; the version is recorded
inline constexpr int Current = 1;

// The writer's step: the tables made, or an older file brought up to Current, in one transaction. A
// file of a newer Gatehouse is left alone and refused (its rows could not be written as it expects).
bool prepareForWriting(QSqlDatabase& db, QString* error);
// The readers' check (History, audit export, what-if): a file of a newer Gatehouse is refused, with why.
bool checkReadable(QSqlDatabase& db, QString* error);
// The file's schema version, or -1 (and why) when it cannot be read.
int version(QSqlDatabase& db, QString* error = nullptr);

} // namespace gatehouse::auditschema
