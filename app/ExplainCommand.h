// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse explain POLICY.json --tool NAME [--args JSON] [--grant LABEL] [--session ID] [--calls N]
//                   [--every SECONDS] [--at ISO-TIME] [--approve]
// Decides N successive calls and prints one line per call, so a person can see when a limit bites.
int explain(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
