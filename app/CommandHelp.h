// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace gatehouse::cli {

// The text of `gatehouse help` and of `gatehouse COMMAND --help`: one entry per command, synopsis,
// what it does and its options. gatehouse(1) says the same at more length.
QString overviewHelp();
// Empty for an unknown command.
QString commandHelp(const QString& command);
// True when the arguments before a "--" ask for help (--help or -h).
bool asksForHelp(const QStringList& args);

} // namespace gatehouse::cli
