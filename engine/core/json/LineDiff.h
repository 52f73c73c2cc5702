// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace gatehouse {

// The lines of `before` and `after` as a diff: removed lines start with "- ", added ones with "+ ",
// unchanged ones with "  ", removals before additions. A longest-common-subsequence diff: meant for
// small texts (configuration files, tool definitions), quadratic in their line counts.
QString lineDiff(const QString& before, const QString& after);

} // namespace gatehouse
