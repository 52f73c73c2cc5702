// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Config.h"

#include <QTextStream>

namespace gatehouse::cli {

// How a server the person adds (in the app, with `servers add` or by importing it from a client) is
// made ready, the same way everywhere.
namespace serversetup {

// Before it runs: a server that names no policy gets its own file in the data folder
// (Config::defaultPolicyFile), and its secrets are read (environment or keychain).
bool prepare(const QString& name, ServerConfig& server, QString* error);
// Its secrets only (headless `serve`).
bool resolveSecrets(const QString& name, ServerConfig& server, QString* error);

// Credentials given in plain text (variables and headers whose names look like one) go into the
// keychain as secret "<server>-<name>" and the server refers to them: nothing secret reaches a file.
// False, with the reason, when the keychain cannot take them (nothing is changed then).
bool keepSecrets(const QString& name, ServerConfig& server, QStringList* moved, QString* error);

// Lists its tools now and writes its starter policy (when its policy file does not exist yet), so it
// decides calls from the first one; says what it did, or why it could not.
void writeFirstPolicy(const QString& name, const ServerConfig& server, QTextStream& out, QTextStream& err);

} // namespace serversetup
} // namespace gatehouse::cli
