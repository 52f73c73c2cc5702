// SPDX-License-Identifier: GPL-3.0-or-later
#include "LineDiff.h"

#include <QStringList>
#include <vector>

namespace gatehouse {

QString lineDiff(const QString& before, const QString& after)
{
    const QStringList a = before.split(u'\n'), b = after.split(u'\n');
    const qsizetype n = a.size(), m = b.size();
    std::vector<std::vector<int>> lcs(std::size_t(n + 1), std::vector<int>(std::size_t(m + 1), 0));
    for (qsizetype i = n - 1; i >= 0; --i)
        for (qsizetype j = m - 1; j >= 0; --j)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    QStringList out;
    qsizetype i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            out << QStringLiteral("  ") + a[i];
            ++i, ++j;
        } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
            out << QStringLiteral("- ") + a[i++];
        } else {
            out << QStringLiteral("+ ") + b[j++];
        }
    }
    return out.join(u'\n');
}

} // namespace gatehouse
