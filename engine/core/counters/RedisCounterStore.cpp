// SPDX-License-Identifier: GPL-3.0-or-later
#include "RedisCounterStore.h"

#include <QCryptographicHash>
#include <QUrl>
#include <chrono>
#include <hiredis.h>

namespace gatehouse {

namespace {

// Checks every request against its bucket (requests on one bucket add up), then, when reserving,
// takes them all. ARGV[1] is "reserve" or "check"; then max, amount and expiry (ms) for each key.
// Returns {1} when everything fits, {0, index} for the first request that does not.
const char TakeScript[] = R"lua(
local reserve = ARGV[1] == 'reserve'
local pending = {}
for i, key in ipairs(KEYS) do
  local base = 1 + 3 * (i - 1)
  local max = tonumber(ARGV[base + 1])
  local amount = tonumber(ARGV[base + 2])
  local v = redis.call('HMGET', key, 'committed', 'reserved')
  local used = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0) + (pending[key] or 0)
  if used + amount > max then return {0, i - 1} end
  pending[key] = (pending[key] or 0) + amount
end
if reserve then
  for i, key in ipairs(KEYS) do
    local base = 1 + 3 * (i - 1)
    redis.call('HINCRBYFLOAT', key, 'reserved', ARGV[base + 2])
    redis.call('PEXPIREAT', key, ARGV[base + 3])
  end
end
return {1}
)lua";

// Commits or gives back held amounts. A bucket whose window has expired is left alone: recreating it
// would only leave a key without an expiry. ARGV[1] is "commit" or "rollback"; then one amount a key.
const char SettleScript[] = R"lua(
local commit = ARGV[1] == 'commit'
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('HINCRBYFLOAT', key, 'reserved', -tonumber(ARGV[i + 1]))
    if commit then redis.call('HINCRBYFLOAT', key, 'committed', ARGV[i + 1]) end
  end
end
return 1
)lua";

// Buckets outlive their window a little, so that proxies whose clocks differ by less than this still
// see each other's counts.
constexpr qint64 ExpiryGraceMs = 60'000;
constexpr qint64 ReconnectDelayMs = 1000;

qint64 steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

QByteArray sha1(const char* text)
{
    return QCryptographicHash::hash(QByteArray(text), QCryptographicHash::Sha1).toHex();
}

QByteArray number(double d)
{
    return QByteArray::number(d, 'g', 17);
}

} // namespace

struct RedisCounterStore::Reply
{
    explicit Reply(redisReply* r)
        : reply(r)
    {}
    ~Reply() { freeReplyObject(reply); }
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;

    bool isError() const { return reply->type == REDIS_REPLY_ERROR; }
    QString error() const { return QString::fromUtf8(reply->str, qsizetype(reply->len)); }

    redisReply* reply;
};

std::optional<RedisCounterStore::Options> RedisCounterStore::parseUrl(const QString& text, QString* error)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != u"redis" || url.host().isEmpty()) {
        *error = QStringLiteral("%1 is not a Redis address: give redis://HOST:PORT/DB").arg(text);
        return std::nullopt;
    }
    Options o;
    o.host = url.host();
    const int port = url.port(6379);
    if (port < 1 || port > 65535) {
        *error = QStringLiteral("%1: the port must be 1 to 65535").arg(text);
        return std::nullopt;
    }
    o.port = quint16(port);
    const QString path = url.path();
    if (!path.isEmpty() && path != u"/") {
        bool ok = false;
        o.database = path.mid(1).toInt(&ok);
        if (!ok || o.database < 0) {
            *error = QStringLiteral("%1: the database must be a number, e.g. redis://%2:%3/0")
                         .arg(text, o.host)
                         .arg(port);
            return std::nullopt;
        }
    }
    if (!url.password().isEmpty())
        o.password = url.password(QUrl::FullyDecoded).toUtf8();
    if (url.hasQuery() || url.hasFragment()) {
        *error = QStringLiteral("%1: a Redis address takes no query or fragment").arg(text);
        return std::nullopt;
    }
    return o;
}

RedisCounterStore::RedisCounterStore(Options options)
    : m_options(std::move(options))
    , m_takeSha(sha1(TakeScript))
    , m_settleSha(sha1(SettleScript))
{}

RedisCounterStore::~RedisCounterStore()
{
    if (m_context)
        redisFree(m_context);
}

QString RedisCounterStore::describe() const
{
    return QStringLiteral("redis://%1:%2/%3%4")
        .arg(m_options.host)
        .arg(m_options.port)
        .arg(m_options.database)
        .arg(m_options.failOpen ? QStringLiteral(" (fails open)") : QStringLiteral(" (fails closed)"));
}

void RedisCounterStore::setStateListener(std::function<void(bool, const QString&)> listener)
{
    std::lock_guard lock(m_mutex);
    m_listener = std::move(listener);
}

QByteArray RedisCounterStore::bucketKey(const CounterKey& key, qint64 windowStart) const
{
    // Percent-encoding keeps ':' out of the parts, so no two buckets share a key.
    return m_options.keyPrefix + "c:" + QUrl::toPercentEncoding(key.counter) + ':' +
           QUrl::toPercentEncoding(key.scopeKey) + ':' + QByteArray::number(key.windowSeconds) + ':' +
           QByteArray::number(windowStart);
}

bool RedisCounterStore::connectNow()
{
    timeval tv{m_options.timeoutMs / 1000, (m_options.timeoutMs % 1000) * 1000};
    m_context = redisConnectWithTimeout(m_options.host.toUtf8().constData(), m_options.port, tv);
    if (!m_context || m_context->err) {
        disconnect(m_context ? QString::fromUtf8(m_context->errstr) : QStringLiteral("out of memory"));
        return false;
    }
    redisSetTimeout(m_context, tv);
    auto setup = [this](const QList<QByteArray>& argv) {
        std::vector<const char*> args;
        std::vector<size_t> lengths;
        for (const QByteArray& a : argv) {
            args.push_back(a.constData());
            lengths.push_back(size_t(a.size()));
        }
        const Reply r(static_cast<redisReply*>(
            redisCommandArgv(m_context, int(args.size()), args.data(), lengths.data())));
        if (!r.reply) {
            disconnect(QString::fromUtf8(m_context->errstr));
            return false;
        }
        if (r.isError()) {
            disconnect(QString::fromLatin1(argv.first()) + QStringLiteral(" refused: ") + r.error());
            return false;
        }
        return true;
    };
    if (!m_options.password.isEmpty() && !setup({QByteArrayLiteral("AUTH"), m_options.password}))
        return false;
    if (m_options.database != 0 &&
        !setup({QByteArrayLiteral("SELECT"), QByteArray::number(m_options.database)}))
        return false;
    setAvailable(true);
    return true;
}

void RedisCounterStore::disconnect(const QString& why)
{
    if (m_context)
        redisFree(m_context);
    m_context = nullptr;
    m_lastError = why;
    m_nextAttemptMs = steadyMs() + ReconnectDelayMs;
    setAvailable(false);
}

void RedisCounterStore::setAvailable(bool available)
{
    if (available == m_available)
        return;
    m_available = available;
    if (m_listener)
        m_listener(available,
                   available ? QStringLiteral("counters: Redis at %1:%2 is reachable again")
                                   .arg(m_options.host)
                                   .arg(m_options.port)
                             : QStringLiteral("counters: Redis at %1:%2 is unreachable (%3); "
                                              "calls with limits are %4")
                                   .arg(m_options.host)
                                   .arg(m_options.port)
                                   .arg(m_lastError, m_options.failOpen ? QStringLiteral("allowed uncounted")
                                                                        : QStringLiteral("refused")));
}

std::unique_ptr<RedisCounterStore::Reply> RedisCounterStore::run(const QList<QByteArray>& argv)
{
    if (!m_context && (steadyMs() < m_nextAttemptMs || !connectNow()))
        return nullptr;
    std::vector<const char*> args;
    std::vector<size_t> lengths;
    args.reserve(size_t(argv.size()));
    lengths.reserve(size_t(argv.size()));
    for (const QByteArray& a : argv) {
        args.push_back(a.constData());
        lengths.push_back(size_t(a.size()));
    }
    auto* r =
        static_cast<redisReply*>(redisCommandArgv(m_context, int(args.size()), args.data(), lengths.data()));
    if (!r) {
        // The connection is broken (or timed out mid-reply): start afresh next time.
        disconnect(QString::fromUtf8(m_context->errstr));
        return nullptr;
    }
    return std::make_unique<Reply>(r);
}

std::unique_ptr<RedisCounterStore::Reply> RedisCounterStore::runScript(const QByteArray& sha,
                                                                       const char* source,
                                                                       const QList<QByteArray>& keys,
                                                                       const QList<QByteArray>& args)
{
    QList<QByteArray> argv{QByteArrayLiteral("EVALSHA"), sha, QByteArray::number(keys.size())};
    argv += keys;
    argv += args;
    std::unique_ptr<Reply> r = run(argv);
    if (r && r->isError() && r->error().startsWith(QLatin1String("NOSCRIPT"))) {
        // A fresh or flushed Redis: EVAL sends the script once and caches it for the next EVALSHA.
        argv[0] = QByteArrayLiteral("EVAL");
        argv[1] = QByteArray(source);
        r = run(argv);
    }
    if (r && r->isError()) {
        m_lastError = QStringLiteral("Redis refused the script: ") + r->error();
        return nullptr;
    }
    return r;
}

CounterOutcome RedisCounterStore::unavailable() const
{
    CounterOutcome o;
    o.fits = m_options.failOpen;
    o.refusedIndex = m_options.failOpen ? -1 : 0;
    o.unavailable = QStringLiteral("the shared counters (Redis at %1:%2) cannot be reached: %3")
                        .arg(m_options.host)
                        .arg(m_options.port)
                        .arg(m_lastError);
    return o;
}

CounterOutcome RedisCounterStore::take(std::span<const CounterRequest> requests, qint64 nowMs, bool reserve,
                                       CounterHold* hold)
{
    QList<QByteArray> keys;
    QList<QByteArray> args{reserve ? QByteArrayLiteral("reserve") : QByteArrayLiteral("check")};
    QList<CounterHold::Entry> entries;
    for (const CounterRequest& r : requests) {
        const qint64 start = windowStart(nowMs, r.key.windowSeconds);
        keys.append(bucketKey(r.key, start));
        args << number(r.max) << number(r.amount)
             << QByteArray::number((start + r.key.windowSeconds) * 1000 + ExpiryGraceMs);
        entries.append({r.key, start, r.amount});
    }

    std::lock_guard lock(m_mutex);
    const std::unique_ptr<Reply> r = runScript(m_takeSha, TakeScript, keys, args);
    if (!r || r->reply->type != REDIS_REPLY_ARRAY || r->reply->elements < 1) {
        if (r)
            m_lastError = QStringLiteral("unexpected answer to the counter script");
        return unavailable();
    }
    if (r->reply->element[0]->integer == 1) {
        if (hold)
            hold->entries = std::move(entries);
        return {};
    }
    CounterOutcome refused;
    refused.fits = false;
    refused.refusedIndex = r->reply->elements > 1 ? qsizetype(r->reply->element[1]->integer) : 0;
    if (refused.refusedIndex < 0 || refused.refusedIndex >= qsizetype(requests.size()))
        refused.refusedIndex = 0;
    refused.retryAfterSeconds =
        retryAfterSeconds(nowMs, requests[size_t(refused.refusedIndex)].key.windowSeconds);
    return refused;
}

bool RedisCounterStore::probe(QString* error)
{
    std::lock_guard lock(m_mutex);
    m_nextAttemptMs = 0; // asked for: try now, whatever the back-off says
    const std::unique_ptr<Reply> r = run({QByteArrayLiteral("PING")});
    if (r && !r->isError())
        return true;
    *error = r ? r->error() : m_lastError;
    return false;
}

CounterOutcome RedisCounterStore::check(std::span<const CounterRequest> requests, qint64 nowMs)
{
    return take(requests, nowMs, false, nullptr);
}

CounterOutcome RedisCounterStore::reserve(std::span<const CounterRequest> requests, qint64 nowMs,
                                          CounterHold* hold)
{
    hold->entries.clear();
    return take(requests, nowMs, true, hold);
}

void RedisCounterStore::settle(const CounterHold& hold, bool commit)
{
    if (hold.entries.isEmpty())
        return;
    QList<QByteArray> keys;
    QList<QByteArray> args{commit ? QByteArrayLiteral("commit") : QByteArrayLiteral("rollback")};
    for (const CounterHold::Entry& e : hold.entries) {
        keys.append(bucketKey(e.key, e.windowStart));
        args.append(number(e.amount));
    }
    std::lock_guard lock(m_mutex);
    // When this fails the amount stays reserved until its window expires: a budget may come up short,
    // never over.
    runScript(m_settleSha, SettleScript, keys, args);
}

void RedisCounterStore::commit(const CounterHold& hold)
{
    settle(hold, true);
}

void RedisCounterStore::rollback(const CounterHold& hold)
{
    settle(hold, false);
}

double RedisCounterStore::used(const CounterKey& key, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    const std::unique_ptr<Reply> r =
        run({QByteArrayLiteral("HMGET"), bucketKey(key, windowStart(nowMs, key.windowSeconds)),
             QByteArrayLiteral("committed"), QByteArrayLiteral("reserved")});
    if (!r || r->reply->type != REDIS_REPLY_ARRAY)
        return 0;
    double total = 0;
    for (size_t i = 0; i < r->reply->elements; ++i)
        if (r->reply->element[i]->type == REDIS_REPLY_STRING)
            total += QByteArray(r->reply->element[i]->str, qsizetype(r->reply->element[i]->len)).toDouble();
    return total;
}

} // namespace gatehouse
