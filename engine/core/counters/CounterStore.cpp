// SPDX-License-Identifier: GPL-3.0-or-later
#include "CounterStore.h"

namespace gatehouse {

qint64 CounterStore::windowStart(qint64 nowMs, qint64 windowSeconds)
{
    const qint64 now = nowMs >= 0 ? nowMs / 1000 : (nowMs - 999) / 1000;
    const qint64 r = now % windowSeconds;
    return now - (r < 0 ? r + windowSeconds : r);
}

qint64 CounterStore::retryAfterSeconds(qint64 nowMs, qint64 windowSeconds)
{
    const qint64 endMs = (windowStart(nowMs, windowSeconds) + windowSeconds) * 1000;
    return std::max<qint64>(1, (endMs - nowMs + 999) / 1000);
}

} // namespace gatehouse
