using B24Mail.Rest.Expiry;
using B24Mail.Rest.Limits;

namespace B24Mail.Storage.Limits;

/// <summary>
/// Limit state in the database, shared by every node. Each change locks its key for the length of one
/// transaction and applies the same arithmetic as the in-memory store, so the limits stay exact however
/// many nodes take from the same bucket at once.
/// </summary>
public sealed class SqlLimitStore(IDatabase database) : ILimitStore, IExpiringStore
{
    private static readonly Migration[] History =
    [
        new(1, """
            CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, level DOUBLE PRECISION NOT NULL, updated_ticks BIGINT NOT NULL);
            CREATE TABLE operating_baskets (key TEXT NOT NULL, start_ticks BIGINT NOT NULL, seconds DOUBLE PRECISION NOT NULL, PRIMARY KEY (key, start_ticks));
            """),
        // When each bucket will have drained, at the rate it was last offered at, so the sweep can tell an idle
        // bucket without knowing portals' rates. Not indexed: every request rewrites it, and an index would
        // cost each of those writes (and PostgreSQL's in-place updates) more than the sweep's scan costs.
        // Buckets written before it have none and are kept until their key is used again.
        new(2, "ALTER TABLE rate_buckets ADD COLUMN empty_ticks BIGINT NULL;"),
        // .NET ticks to StoredTime's milliseconds: a bucket's time rounded down (it drains a little less than it
        // would have), the time it is empty rounded up, and "never" (the largest BIGINT) kept. Two baskets of one
        // key start at least a minute apart, so the key stays unique.
        new(3, $"""
            ALTER TABLE rate_buckets RENAME COLUMN updated_ticks TO updated_ms;
            ALTER TABLE rate_buckets RENAME COLUMN empty_ticks TO empty_ms;
            ALTER TABLE operating_baskets RENAME COLUMN start_ticks TO start_ms;
            UPDATE rate_buckets SET updated_ms = (updated_ms - {EpochTicks}) / 10000,
                empty_ms = CASE WHEN empty_ms = {long.MaxValue} THEN empty_ms ELSE (empty_ms - {EpochTicks} + 9999) / 10000 END;
            UPDATE operating_baskets SET start_ms = (start_ms - {EpochTicks}) / 10000;
            """),
    ];

    private const long EpochTicks = 621355968000000000;

    public Task MigrateAsync() => Schema.MigrateAsync(database, "limits", History);

    public async ValueTask<bool> TryTakeAsync(string key, double burst, double perSecond, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(async session =>
        {
            session.KeepCaches();
            await session.LockAsync(LockKeys.Limit(key));
            LeakyBucket? current = null;
            await using (var reader = await session.ReaderAsync("SELECT level, updated_ms FROM rate_buckets WHERE key = @key", ("@key", key)))
            {
                if (await reader.ReadAsync(session.Cancellation))
                {
                    current = new LeakyBucket(reader.GetDouble(reader.GetOrdinal("level")), StoredTime.ToTime(reader.GetInt64(reader.GetOrdinal("updated_ms"))).UtcTicks);
                }
            }
            // The bucket's clock runs in whole milliseconds, the unit it is stored in, so what it reads back is
            // what it computed with. Clocks of different nodes differ a little; time never runs backwards for a bucket.
            var whole = StoredTime.Whole(now).UtcTicks;
            var ticks = current is { } c ? Math.Max(c.UpdatedTicks, whole) : whole;
            var (allowed, next) = LeakyBucket.Offer(current, burst, perSecond, ticks);
            await session.ExecuteAsync("""
                INSERT INTO rate_buckets (key, level, updated_ms, empty_ms) VALUES (@key, @level, @updated, @empty)
                ON CONFLICT (key) DO UPDATE SET level = excluded.level, updated_ms = excluded.updated_ms, empty_ms = excluded.empty_ms
                """, ("@key", key), ("@level", next.Level), ("@updated", StoredTime.From(new DateTimeOffset(next.UpdatedTicks, TimeSpan.Zero))),
                ("@empty", EmptyAt(next.EmptyAtTicks(perSecond))));
            return allowed;
        });

    public async ValueTask<OperatingBaskets> GetBasketsAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(async session => (await ReadBasketsAsync(session, key)).Live(now.UtcTicks), cancellationToken);

    public async ValueTask<OperatingBaskets> AddOperatingAsync(string key, DateTimeOffset callStart, double seconds, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(async session =>
        {
            session.KeepCaches();
            await session.LockAsync(LockKeys.Limit(key));
            var baskets = (await ReadBasketsAsync(session, key)).Add(StoredTime.Whole(callStart).UtcTicks, seconds);
            await session.ExecuteAsync("DELETE FROM operating_baskets WHERE key = @key", ("@key", key));
            foreach (var (start, total) in baskets.Baskets)
            {
                await session.ExecuteAsync("INSERT INTO operating_baskets (key, start_ms, seconds) VALUES (@key, @start, @seconds)",
                    ("@key", key), ("@start", StoredTime.From(new DateTimeOffset(start, TimeSpan.Zero))), ("@seconds", total));
            }
            return baskets;
        });

    public async ValueTask ForgetAsync(IReadOnlyCollection<string>? prefixes, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(async session =>
        {
            session.KeepCaches();
            if (prefixes is null)
            {
                await session.ExecuteAsync("DELETE FROM rate_buckets");
                await session.ExecuteAsync("DELETE FROM operating_baskets");
                return;
            }
            // substr rather than LIKE: a key may hold '_' or '%', which LIKE would read as wildcards.
            foreach (var prefix in prefixes.Distinct())
            {
                await session.ExecuteAsync("DELETE FROM rate_buckets WHERE substr(key, 1, @length) = @prefix", ("@length", prefix.Length), ("@prefix", prefix));
                await session.ExecuteAsync("DELETE FROM operating_baskets WHERE substr(key, 1, @length) = @prefix", ("@length", prefix.Length), ("@prefix", prefix));
            }
        });

    /// <summary>
    /// Deletes buckets that had drained by <paramref name="cutoff"/> (a new bucket answers the same) and
    /// baskets that had expired by then, at most <paramref name="limit"/> rows in one short transaction. The
    /// condition is repeated outside the subquery so that a bucket a request refills meanwhile is kept.
    /// </summary>
    public Task<int> SweepExpiredAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        session.KeepCaches();
        var removed = await session.ExecuteAsync("""
            DELETE FROM rate_buckets WHERE key IN (SELECT key FROM rate_buckets WHERE empty_ms <= @cutoff LIMIT @limit) AND empty_ms <= @cutoff
            """, ("@cutoff", StoredTime.From(cutoff)), ("@limit", limit));
        if (removed >= limit) return removed;
        removed += await session.ExecuteAsync("""
            DELETE FROM operating_baskets
            WHERE (key, start_ms) IN (SELECT key, start_ms FROM operating_baskets WHERE start_ms <= @opened LIMIT @limit) AND start_ms <= @opened
            """, ("@opened", StoredTime.From(cutoff - OperatingBaskets.Window)), ("@limit", limit - removed));
        return removed;
    });

    private static async ValueTask<OperatingBaskets> ReadBasketsAsync(IDbSession session, string key)
    {
        var baskets = new List<(long, double)>();
        await using var reader = await session.ReaderAsync("SELECT start_ms, seconds FROM operating_baskets WHERE key = @key ORDER BY start_ms", ("@key", key));
        int start = reader.GetOrdinal("start_ms"), total = reader.GetOrdinal("seconds");
        while (await reader.ReadAsync(session.Cancellation)) baskets.Add((StoredTime.ToTime(reader.GetInt64(start)).UtcTicks, reader.GetDouble(total)));
        return new OperatingBaskets(baskets);
    }

    /// <summary>When a bucket is empty, in stored milliseconds rounded up (so it is surely empty by then); "never" stays the largest value.</summary>
    private static long EmptyAt(long ticks) => ticks == long.MaxValue ? long.MaxValue : (ticks - EpochTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
}
