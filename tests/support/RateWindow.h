// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QTest>

// Rate-limit windows are fixed and aligned to UTC (a minute starts at :00). A test that counts calls
// against a limit must not straddle a window's end, or the count restarts midway: when fewer than
// `needSeconds` are left in the current window of `windowSeconds`, this waits for the next one to begin.
inline void waitForWindowRoom(qint64 windowSeconds, qint64 needSeconds)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 end = (now / 1000 / windowSeconds + 1) * windowSeconds * 1000;
    if (end - now >= needSeconds * 1000)
        return;
    qInfo("waiting %lld ms for the next rate-limit window", end - now + 200);
    QTest::qWait(int(end - now + 200));
}
