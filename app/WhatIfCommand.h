// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse whatif DRAFT.json [--since T] [--server NAME] [--db FILE] [--format text|json]
// Replays the audit history against a draft policy and says which calls would be decided differently.
// Exit status 0 when nothing would change, 1 when something would, 2 on a usage error or bad input.
int whatif(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
