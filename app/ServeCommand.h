// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse serve [--policy FILE] [--listen HOST:PORT] [--token TOKEN | --no-auth] [--stdio] [--name NAME]
//                 [--upstream-timeout SECONDS] (--upstream URL [--header 'K: V']... | -- COMMAND [ARGS...])
// Runs the proxy headless until SIGINT/SIGTERM (or, with --stdio, until stdin closes).
int serve(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
