// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CounterStore.h"

#include <QHash>
#include <mutex>

namespace gatehouse {

// Counters in this process's memory, behind one mutex. Buckets of ended windows are swept now and
// then, so sessions that come and go do not grow the table forever.
class InMemoryCounterStore final : public CounterStore
{
public:
    CounterOutcome check(std::span<const CounterRequest> requests, qint64 nowMs) override;
    CounterOutcome reserve(std::span<const CounterRequest> requests, qint64 nowMs,
                           CounterHold* hold) override;
    void commit(const CounterHold& hold) override;
    void rollback(const CounterHold& hold) override;
    double used(const CounterKey& key, qint64 nowMs) override;
    QString describe() const override { return QStringLiteral("memory"); }

    qsizetype bucketCount() const;

private:
    struct Bucket
    {
        qint64 windowStart = 0;
        double committed = 0;
        double reserved = 0;
        double total() const { return committed + reserved; }
    };
    // The bucket for key in the current window, reset if its window has passed.
    Bucket& current(const CounterKey& key, qint64 windowStart);
    CounterOutcome evaluate(std::span<const CounterRequest> requests, qint64 nowMs);
    void sweep(qint64 nowMs);

    mutable std::mutex m_mutex;
    QHash<CounterKey, Bucket> m_buckets;
    qint64 m_nextSweepMs = 0;
};

} // namespace gatehouse
