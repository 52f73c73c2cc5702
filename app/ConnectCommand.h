// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse connect [URL] [--token T]
// A stdio <-> Streamable HTTP bridge: a client that can only launch a command (Claude Desktop's
// "command" entries) speaks MCP on this process's stdin and stdout, and every message goes to the
// running Gatehouse (app or serve) at URL, which decides its calls. Ends when stdin closes.
// With --install claude|cursor|vscode: merges the entry into that client's MCP config file instead
// (showing the difference, keeping a backup).
int connect(const QStringList& args, QTextStream& err);

} // namespace gatehouse::cli
