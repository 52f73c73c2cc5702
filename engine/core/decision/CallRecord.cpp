// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallRecord.h"

namespace gatehouse {

QString outcomeName(CallRecord::Outcome o)
{
    switch (o) {
    case CallRecord::Outcome::Pending:
        return QStringLiteral("pending");
    case CallRecord::Outcome::Answered:
        return QStringLiteral("answered");
    case CallRecord::Outcome::Failed:
        return QStringLiteral("failed");
    case CallRecord::Outcome::Refused:
        return QStringLiteral("refused");
    case CallRecord::Outcome::Cancelled:
        return QStringLiteral("cancelled");
    case CallRecord::Outcome::Deferred:
        return QStringLiteral("deferred");
    }
    return {};
}

} // namespace gatehouse
