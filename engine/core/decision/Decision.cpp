// SPDX-License-Identifier: GPL-3.0-or-later
#include "Decision.h"

namespace gatehouse {

QString verdictName(Verdict v)
{
    switch (v) {
    case Verdict::Allowed:
        return QStringLiteral("allowed");
    case Verdict::Denied:
        return QStringLiteral("denied");
    case Verdict::Hidden:
        return QStringLiteral("hidden");
    case Verdict::Limited:
        return QStringLiteral("limited");
    case Verdict::NeedsApproval:
        return QStringLiteral("needs-approval");
    }
    return {};
}

} // namespace gatehouse
