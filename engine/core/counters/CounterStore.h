// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHashFunctions>
#include <QList>
#include <QString>
#include <span>

namespace gatehouse {

// One budget: a counter name under one scope key ("grant:alice", "session:…", "global") counted in
// fixed windows of `windowSeconds`, aligned to the Unix epoch (so minutes start at :00 UTC).
struct CounterKey
{
    QString counter;
    QString scopeKey;
    qint64 windowSeconds = 60;

    bool operator==(const CounterKey&) const = default;
};

inline size_t qHash(const CounterKey& k, size_t seed = 0)
{
    return qHashMulti(seed, k.counter, k.scopeKey, k.windowSeconds);
}

struct CounterRequest
{
    CounterKey key;
    double max = 1;
    double amount = 1;
};

// Quota taken by one reserve(): what to commit or give back.
struct CounterHold
{
    struct Entry
    {
        CounterKey key;
        qint64 windowStart = 0; // seconds since the epoch
        double amount = 0;
    };
    QList<Entry> entries;
};

struct CounterOutcome
{
    bool fits = true;
    qsizetype refusedIndex = -1; // first request that did not fit
    qint64 retryAfterSeconds = 0;
    // Non-empty when the store could not be asked (a shared store that is unreachable), with why. Such
    // an outcome fits only when the store is set to fail open.
    QString unavailable;
};

// Where counts live. Implementations are thread-safe and reserve all requests or none.
// A reserved amount counts against the budget at once; commit() keeps it, rollback() returns it.
// Quota held for a window that has since ended is simply dropped.
class CounterStore
{
public:
    virtual ~CounterStore() = default;

    // Would every request fit right now? Changes nothing.
    virtual CounterOutcome check(std::span<const CounterRequest> requests, qint64 nowMs) = 0;
    // Takes every request or none; on success fills *hold.
    virtual CounterOutcome reserve(std::span<const CounterRequest> requests, qint64 nowMs,
                                   CounterHold* hold) = 0;
    virtual void commit(const CounterHold& hold) = 0;
    virtual void rollback(const CounterHold& hold) = 0;
    // Committed plus reserved in the window containing nowMs.
    virtual double used(const CounterKey& key, qint64 nowMs) = 0;
    // Where the counts live, for logs: "memory", "redis://127.0.0.1:6379/0".
    virtual QString describe() const = 0;

    static qint64 windowStart(qint64 nowMs, qint64 windowSeconds);
    static qint64 retryAfterSeconds(qint64 nowMs, qint64 windowSeconds);
};

} // namespace gatehouse
