// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLockFile>
#include <QString>
#include <QStringList>
#include <memory>

namespace gatehouse::privatefiles {

// What Gatehouse keeps (who called which tool when, arguments, pins, grants) is for its user alone.

// Creates the folder (and missing parents) with mode 0700. An existing folder of Gatehouse's own (named
// "gatehouse", as its data and configuration folders are) that others can read is tightened to 0700;
// any other folder the user chose is left as it is. Returns what it tightened, for the log, or "".
QString ensureFolder(const QString& folder);

// Creates the file empty with mode 0600 if it is missing; an existing one that others can read is
// tightened to 0600. Returns what it tightened, or "".
QString ensureFile(const QString& file);

// A database of Gatehouse's: its folder, the file and the -wal/-shm files SQLite keeps beside it (left by
// an older version, maybe with other permissions), each made private as above. Returns what it tightened.
QStringList ensureDatabase(const QString& path);

// "<path>.lock", held by this process alone from now on: one writer per file. Null when another process
// holds it, and *holder is then that process's id.
std::unique_ptr<QLockFile> lockForWriting(const QString& path, qint64* holder);

} // namespace gatehouse::privatefiles
