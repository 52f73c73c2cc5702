// SPDX-License-Identifier: GPL-3.0-or-later
#include "InMemoryCounterStore.h"

namespace gatehouse {

namespace {
constexpr qint64 SweepIntervalMs = 60'000;
}

InMemoryCounterStore::Bucket& InMemoryCounterStore::current(const CounterKey& key, qint64 windowStart)
{
    Bucket& b = m_buckets[key];
    if (b.windowStart != windowStart)
        b = Bucket{windowStart, 0, 0};
    return b;
}

CounterOutcome InMemoryCounterStore::evaluate(std::span<const CounterRequest> requests, qint64 nowMs)
{
    // Requests naming the same bucket add up, so a call cannot pass two limits on one counter
    // that together would exceed it.
    for (qsizetype i = 0; i < qsizetype(requests.size()); ++i) {
        const CounterRequest& r = requests[i];
        const qint64 start = windowStart(nowMs, r.key.windowSeconds);
        const auto it = m_buckets.constFind(r.key);
        double used = (it != m_buckets.constEnd() && it->windowStart == start) ? it->total() : 0;
        for (qsizetype j = 0; j < i; ++j)
            if (requests[j].key == r.key)
                used += requests[j].amount;
        if (used + r.amount > r.max)
            return {false, i, retryAfterSeconds(nowMs, r.key.windowSeconds), {}};
    }
    return {};
}

CounterOutcome InMemoryCounterStore::check(std::span<const CounterRequest> requests, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    return evaluate(requests, nowMs);
}

CounterOutcome InMemoryCounterStore::reserve(std::span<const CounterRequest> requests, qint64 nowMs,
                                             CounterHold* hold)
{
    std::lock_guard lock(m_mutex);
    if (nowMs >= m_nextSweepMs)
        sweep(nowMs);
    const CounterOutcome outcome = evaluate(requests, nowMs);
    if (!outcome.fits)
        return outcome;
    hold->entries.clear();
    hold->entries.reserve(qsizetype(requests.size()));
    for (const CounterRequest& r : requests) {
        const qint64 start = windowStart(nowMs, r.key.windowSeconds);
        current(r.key, start).reserved += r.amount;
        hold->entries.append({r.key, start, r.amount});
    }
    return outcome;
}

void InMemoryCounterStore::commit(const CounterHold& hold)
{
    std::lock_guard lock(m_mutex);
    for (const auto& e : hold.entries) {
        const auto it = m_buckets.find(e.key);
        if (it == m_buckets.end() || it->windowStart != e.windowStart)
            continue; // that window is over; nothing to keep
        it->reserved -= e.amount;
        it->committed += e.amount;
    }
}

void InMemoryCounterStore::rollback(const CounterHold& hold)
{
    std::lock_guard lock(m_mutex);
    for (const auto& e : hold.entries) {
        const auto it = m_buckets.find(e.key);
        if (it == m_buckets.end() || it->windowStart != e.windowStart)
            continue;
        it->reserved -= e.amount;
    }
}

double InMemoryCounterStore::used(const CounterKey& key, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_buckets.constFind(key);
    if (it == m_buckets.constEnd() || it->windowStart != windowStart(nowMs, key.windowSeconds))
        return 0;
    return it->total();
}

qsizetype InMemoryCounterStore::bucketCount() const
{
    std::lock_guard lock(m_mutex);
    return m_buckets.size();
}

void InMemoryCounterStore::sweep(qint64 nowMs)
{
    m_nextSweepMs = nowMs + SweepIntervalMs;
    const qint64 now = nowMs / 1000;
    m_buckets.removeIf([now](const auto& entry) {
        const Bucket& b = entry.value();
        return b.windowStart + entry.key().windowSeconds <= now;
    });
}

} // namespace gatehouse
