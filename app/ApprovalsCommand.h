// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse approvals list | approve ID [--session | --always] | deny ID [--always]  [--note TEXT]
//                   [--admin-file FILE]
// The client of a running proxy's admin API. Exit 0 done, 1 refused or unreachable, 2 usage.
int approvals(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
