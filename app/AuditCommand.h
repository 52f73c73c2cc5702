// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse audit verify [--db FILE]
// gatehouse audit export --format jsonl|csv [--since TIME] [--grant LABEL] [--tool NAME] [--db FILE]
int audit(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
