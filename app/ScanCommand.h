// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "proxy/UpstreamServer.h"

#include <QJsonArray>
#include <QStringList>
#include <QTextStream>
#include <optional>

namespace gatehouse::cli {

// gatehouse scan [--output FILE] (--upstream URL [--header 'K: V']... | -- COMMAND [ARGS...])
// Lists any MCP server's tools and writes a starter policy from their guessed risk classes.
int scan(const QStringList& args, QTextStream& out, QTextStream& err);

// Starts the server, initializes it and lists every tool (following cursors), waiting at most
// `timeoutMs` for each answer. nullopt, with the reason, when it cannot be reached or refuses.
std::optional<QJsonArray> listServerTools(const UpstreamServer::Target& target, int timeoutMs, QString* error,
                                          QTextStream* log = nullptr);

} // namespace gatehouse::cli
