// SPDX-License-Identifier: GPL-3.0-or-later
#include "CheckCommand.h"

#include "policy/PolicyParser.h"

namespace gatehouse::cli {

int check(const QStringList& args, QTextStream& out, QTextStream& err)
{
    if (args.size() != 1 || args.first().startsWith(u'-')) {
        err << "usage: gatehouse check POLICY.json\n";
        return 2;
    }
    const PolicyLoad load = PolicyParser::parseFile(args.first());
    if (load.policy) {
        out << "valid\n";
        return 0;
    }
    for (const Diagnostic& d : load.errors)
        out << d.toString() << '\n';
    return 1;
}

} // namespace gatehouse::cli
