// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse pins list [SERVER] | show SERVER TOOL | accept SERVER (TOOL | --all) | forget SERVER
// Reviews the tool definitions a proxy holds back because they changed (or are new) since they were
// pinned, and accepts them; a running proxy picks the change up from the pins file at once.
int pins(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
