// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse sandbox [--seed N]: the Rolli sandbox as an MCP server on stdin/stdout.
int sandbox(const QStringList& args, QTextStream& out, QTextStream& err);
// The 30 Rolli tools from the built-in catalogue.
QJsonArray rolliCatalogue();

} // namespace gatehouse::cli
