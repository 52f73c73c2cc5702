// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse servers list | add NAME -- COMMAND… | add NAME --url URL [--header 'K: V']… | remove NAME
//                  | import --from claude|cursor|vscode [--file F] [--dry-run] [NAME…] | unguard NAME
// The servers of the configuration. A running app or `serve` picks every change up at once.
int servers(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
