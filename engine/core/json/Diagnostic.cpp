// SPDX-License-Identifier: GPL-3.0-or-later
#include "Diagnostic.h"

namespace gatehouse {

QString Diagnostic::toString() const
{
    const QString where = pointer.isEmpty() ? QStringLiteral("/") : pointer;
    if (line > 0)
        return QStringLiteral("%1 (%2:%3): %4").arg(where).arg(line).arg(column).arg(message);
    return QStringLiteral("%1: %2").arg(where, message);
}

} // namespace gatehouse
