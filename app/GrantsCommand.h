// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace gatehouse::cli {

// gatehouse grants add LABEL --server NAME [--policy FILE] | list | revoke LABEL   [--config FILE]
int grants(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace gatehouse::cli
