// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Config.h"

#include <QTextStream>

namespace gatehouse::cli {

// Rolli, out of the box: the sandbox (the default when nothing is configured) and the real server
// (stdio `npx -y @rolli/mcp`, its ROLLI_API_TOKEN from the environment or the user's keychain; the token
// goes to the child's environment only, never into a configuration file).
namespace rolli {

inline const QString TokenKey = QStringLiteral("ROLLI_API_TOKEN");

// The sandbox served by this very program.
ServerConfig sandboxServer(const QString& policy);
// The real server, with the token and where it came from ("environment" or "keychain"); nullopt with
// the reason when there is no token.
std::optional<ServerConfig> realServer(const QString& policy, QString* tokenSource, QString* error);
// A copy of the recommended Rolli policy in the user's data directory, made on first use so the app
// has a file to edit. `name` is its file name without .json.
QString defaultPolicy(const QString& name, QString* error);

} // namespace rolli

// gatehouse rolli token set | clear | status
// Stores the Rolli API token in the keychain (read from stdin, never from the command line).
int rolliCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
