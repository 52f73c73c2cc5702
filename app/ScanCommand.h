// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse scan [--output FILE] (--upstream URL [--header 'K: V']... | -- COMMAND [ARGS...])
// Lists any MCP server's tools and writes a starter policy from their guessed risk classes.
int scan(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
