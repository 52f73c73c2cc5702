// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CounterStore.h"

#include <functional>
#include <mutex>
#include <optional>

struct redisContext;

namespace gatehouse {

// Counters in Redis, so that several proxies serving one team share their budgets. Each bucket is a
// hash {committed, reserved} under a key naming its counter, scope, window length and window start; it
// expires when its window ends. Reserving, committing and rolling back are Lua scripts, so a check and
// its increment are one atomic step however many proxies race.
//
// Calls are synchronous with a short timeout: a decision waits one round trip (about 0.1 ms on a
// local network). When Redis cannot answer, outcomes carry `unavailable`; with FailOpen they also fit
// (the call runs uncounted), otherwise they do not (fail closed). After a failed connection attempt
// the store waits a second before trying again, so a dead Redis does not slow every call.
class RedisCounterStore final : public CounterStore
{
public:
    struct Options
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 6379;
        int database = 0;
        QByteArray password; // empty: no AUTH
        QByteArray keyPrefix = QByteArrayLiteral("gatehouse:");
        int timeoutMs = 500;
        bool failOpen = false;
    };
    // redis://[:PASSWORD@]HOST[:PORT][/DB]; nullopt with the reason when it is not one.
    static std::optional<Options> parseUrl(const QString& url, QString* error);

    explicit RedisCounterStore(Options options);
    ~RedisCounterStore() override;

    CounterOutcome check(std::span<const CounterRequest> requests, qint64 nowMs) override;
    CounterOutcome reserve(std::span<const CounterRequest> requests, qint64 nowMs,
                           CounterHold* hold) override;
    void commit(const CounterHold& hold) override;
    void rollback(const CounterHold& hold) override;
    double used(const CounterKey& key, qint64 nowMs) override;
    QString describe() const override;

    // Told when Redis goes away or comes back, with a sentence for the log. Called with the store's
    // lock held, from whichever thread noticed: keep it short and do not call back into the store.
    void setStateListener(std::function<void(bool available, const QString& why)> listener);

    // Connects (or reuses the connection) and sends PING; false with the reason when Redis does not answer.
    bool probe(QString* error);

    const Options& options() const { return m_options; }

private:
    struct Reply;
    CounterOutcome take(std::span<const CounterRequest> requests, qint64 nowMs, bool reserve,
                        CounterHold* hold);
    void settle(const CounterHold& hold, bool commit);
    // One command, connecting first if needed; null when Redis could not answer (m_lastError says why).
    std::unique_ptr<Reply> run(const QList<QByteArray>& argv);
    std::unique_ptr<Reply> runScript(const QByteArray& sha, const char* source, const QList<QByteArray>& keys,
                                     const QList<QByteArray>& args);
    bool connectNow();
    void disconnect(const QString& why);
    void setAvailable(bool available);
    CounterOutcome unavailable() const;
    QByteArray bucketKey(const CounterKey& key, qint64 windowStart) const;

    const Options m_options;
    mutable std::mutex m_mutex;
    redisContext* m_context = nullptr;
    qint64 m_nextAttemptMs = 0;
    QString m_lastError;
    bool m_available = true;
    std::function<void(bool, const QString&)> m_listener;
    QByteArray m_takeSha;
    QByteArray m_settleSha;
};

} // namespace gatehouse
