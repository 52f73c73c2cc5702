// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse check POLICY.json: prints "valid", or one "POINTER (line:col): message" line per error.
// Exit 0 valid, 1 invalid, 2 usage.
int check(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
