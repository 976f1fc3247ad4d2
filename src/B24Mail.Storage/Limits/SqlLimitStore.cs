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
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, level DOUBLE PRECISION NOT NULL, updated_ticks BIGINT NOT NULL);
        CREATE TABLE operating_baskets (key TEXT NOT NULL, start_ticks BIGINT NOT NULL, seconds DOUBLE PRECISION NOT NULL, PRIMARY KEY (key, start_ticks));
        """,
        // When each bucket will have drained, at the rate it was last offered at, so the sweep can tell an idle
        // bucket without knowing portals' rates. Not indexed: every request rewrites it, and an index would
        // cost each of those writes (and PostgreSQL's in-place updates) more than the sweep's scan costs.
        // Buckets written before it have none and are kept until their key is used again.
        "ALTER TABLE rate_buckets ADD COLUMN empty_ticks BIGINT NULL;",
    ];

    public Task MigrateAsync() => Schema.MigrateAsync(database, "limits", Migrations);

    public async ValueTask<bool> TryTakeAsync(string key, double burst, double perSecond, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(async session =>
        {
            session.KeepCaches();
            await session.LockAsync(LockKeys.Limit(key));
            LeakyBucket? current = null;
            await using (var reader = await session.ReaderAsync("SELECT level, updated_ticks FROM rate_buckets WHERE key = @key", ("@key", key)))
            {
                if (await reader.ReadAsync(session.Cancellation)) current = new LeakyBucket(reader.GetDouble(0), reader.GetInt64(1));
            }
            // Clocks of different nodes differ a little; time never runs backwards for a bucket.
            var ticks = current is { } c ? Math.Max(c.UpdatedTicks, now.UtcTicks) : now.UtcTicks;
            var (allowed, next) = LeakyBucket.Offer(current, burst, perSecond, ticks);
            await session.ExecuteAsync("""
                INSERT INTO rate_buckets (key, level, updated_ticks, empty_ticks) VALUES (@key, @level, @ticks, @empty)
                ON CONFLICT (key) DO UPDATE SET level = excluded.level, updated_ticks = excluded.updated_ticks, empty_ticks = excluded.empty_ticks
                """, ("@key", key), ("@level", next.Level), ("@ticks", next.UpdatedTicks), ("@empty", next.EmptyAtTicks(perSecond)));
            return allowed;
        });

    public async ValueTask<OperatingBaskets> GetBasketsAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(async session => (await ReadBasketsAsync(session, key)).Live(now.UtcTicks), cancellationToken);

    public async ValueTask<OperatingBaskets> AddOperatingAsync(string key, DateTimeOffset callStart, double seconds, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(async session =>
        {
            session.KeepCaches();
            await session.LockAsync(LockKeys.Limit(key));
            var baskets = (await ReadBasketsAsync(session, key)).Add(callStart.UtcTicks, seconds);
            await session.ExecuteAsync("DELETE FROM operating_baskets WHERE key = @key", ("@key", key));
            foreach (var (start, total) in baskets.Baskets)
            {
                await session.ExecuteAsync("INSERT INTO operating_baskets (key, start_ticks, seconds) VALUES (@key, @start, @seconds)", ("@key", key), ("@start", start), ("@seconds", total));
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
            DELETE FROM rate_buckets WHERE key IN (SELECT key FROM rate_buckets WHERE empty_ticks <= @cutoff LIMIT @limit) AND empty_ticks <= @cutoff
            """, ("@cutoff", cutoff.UtcTicks), ("@limit", limit));
        if (removed >= limit) return removed;
        removed += await session.ExecuteAsync("""
            DELETE FROM operating_baskets
            WHERE (key, start_ticks) IN (SELECT key, start_ticks FROM operating_baskets WHERE start_ticks <= @opened LIMIT @limit) AND start_ticks <= @opened
            """, ("@opened", (cutoff - OperatingBaskets.Window).UtcTicks), ("@limit", limit - removed));
        return removed;
    });

    private static async ValueTask<OperatingBaskets> ReadBasketsAsync(IDbSession session, string key)
    {
        var baskets = new List<(long, double)>();
        await using var reader = await session.ReaderAsync("SELECT start_ticks, seconds FROM operating_baskets WHERE key = @key ORDER BY start_ticks", ("@key", key));
        while (await reader.ReadAsync(session.Cancellation)) baskets.Add((reader.GetInt64(0), reader.GetDouble(1)));
        return new OperatingBaskets(baskets);
    }
}
