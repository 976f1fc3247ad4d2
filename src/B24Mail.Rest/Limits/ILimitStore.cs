namespace B24Mail.Rest.Limits;

/// <summary>
/// Where limit state lives. One node keeps it in memory; several nodes share it through a store that
/// applies each change atomically (the PostgreSQL issue). Keys are opaque strings made by the limiters.
/// </summary>
public interface ILimitStore
{
    /// <summary>Offers one request to the bucket under <paramref name="key"/>; false if it is refused.</summary>
    ValueTask<bool> TryTakeAsync(string key, double burst, double perSecond, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The live baskets under <paramref name="key"/>.</summary>
    ValueTask<OperatingBaskets> GetBasketsAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Adds a call's seconds and returns the baskets after it.</summary>
    ValueTask<OperatingBaskets> AddOperatingAsync(string key, DateTimeOffset callStart, double seconds, CancellationToken cancellationToken = default);
}

/// <summary>Limit state of a single node, in memory, one lock per key.</summary>
public sealed class MemoryLimitStore : ILimitStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed class Entry
    {
        public LeakyBucket? Bucket;
        public OperatingBaskets Baskets = OperatingBaskets.Empty;
    }

    public ValueTask<bool> TryTakeAsync(string key, double burst, double perSecond, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            var (allowed, next) = LeakyBucket.Offer(entry.Bucket, burst, perSecond, now.UtcTicks);
            entry.Bucket = next;
            return ValueTask.FromResult(allowed);
        }
    }

    public ValueTask<OperatingBaskets> GetBasketsAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!_entries.TryGetValue(key, out var entry)) return ValueTask.FromResult(OperatingBaskets.Empty);
        lock (entry) return ValueTask.FromResult(entry.Baskets.Live(now.UtcTicks));
    }

    public ValueTask<OperatingBaskets> AddOperatingAsync(string key, DateTimeOffset callStart, double seconds, CancellationToken cancellationToken = default)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            entry.Baskets = entry.Baskets.Add(callStart.UtcTicks, seconds);
            return ValueTask.FromResult(entry.Baskets);
        }
    }
}
