// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ClientGuard.h"

#include <QTextStream>

namespace gatehouse::cli::clientimport {

// The guard record of a Gatehouse server that stands in for a client's entry, if any.
std::optional<ClientGuard::Record> guardOf(const QString& server);

// gatehouse servers import --from CLIENT [--file F] [--dry-run] [NAME…]: lists the client's servers
// (no names), or guards the named ones.
int importCommand(const QString& configPath, const QString& from, const QString& file,
                  const QStringList& names, bool dryRun, QTextStream& out, QTextStream& err);
int unguardCommand(const QString& configPath, const QString& server, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli::clientimport
