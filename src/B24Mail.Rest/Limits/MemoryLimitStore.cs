using System.Collections.Concurrent;
using B24Mail.Rest.Expiry;

namespace B24Mail.Rest.Limits;

/// <summary>
/// Limit state of a single node, in memory, one lock per key. Keys come from clients (a bucket per portal
/// and client address), so the entries are bounded: an entry whose bucket has drained and whose baskets
/// have all expired says nothing a new entry would not, and is dropped, both by the background sweep and
/// whenever inserts have doubled the count since the last look. Only if more than three quarters of
/// <see cref="DefaultCapacity"/> entries are all still live at once (tens of thousands of addresses
/// within a minute or so) are live buckets dropped too, those nearest to empty first: such an address
/// starts again from an empty bucket, so the limit fails open for it by at most its small level, rather
/// than memory growing without end or new clients being refused.
/// </summary>
public sealed class MemoryLimitStore : ILimitStore, IExpiringStore
{
    /// <summary>Entries the store may hold; at about 200 bytes each, some 20 MB.</summary>
    public const int DefaultCapacity = 100_000;

    private const int FirstSweepAt = 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private readonly Lock _sweepLock = new();
    // ConcurrentDictionary.Count takes every internal lock, so the store counts its own inserts and removals.
    private int _count;
    private int _sweepAt;

    public MemoryLimitStore()
        : this(DefaultCapacity)
    {
    }

    internal MemoryLimitStore(int capacity)
    {
        _capacity = capacity;
        _sweepAt = Math.Min(FirstSweepAt, capacity);
    }

    /// <summary>Entries held now, for tests.</summary>
    internal int Count => Volatile.Read(ref _count);

    private sealed class Entry
    {
        public LeakyBucket? Bucket;
        // The rate the bucket last drained at, to tell when it is empty.
        public double PerSecond;
        public OperatingBaskets Baskets = OperatingBaskets.Empty;
        // Set under the entry's lock as it leaves the dictionary; a thread that then gets the lock starts over.
        public bool Removed;
    }

    public ValueTask<bool> TryTakeAsync(string key, double burst, double perSecond, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var added = false;
        bool allowed;
        while (true)
        {
            var entry = Get(key, ref added);
            lock (entry)
            {
                if (entry.Removed) continue;
                (allowed, var next) = LeakyBucket.Offer(entry.Bucket, burst, perSecond, now.UtcTicks);
                entry.Bucket = next;
                entry.PerSecond = perSecond;
                break;
            }
        }
        if (added) MakeRoomIfDue(now);
        return ValueTask.FromResult(allowed);
    }

    public ValueTask<OperatingBaskets> GetBasketsAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!_entries.TryGetValue(key, out var entry)) return ValueTask.FromResult(OperatingBaskets.Empty);
        // A removed entry had no live baskets, so reading it answers the same as reading none.
        lock (entry) return ValueTask.FromResult(entry.Baskets.Live(now.UtcTicks));
    }

    public ValueTask<OperatingBaskets> AddOperatingAsync(string key, DateTimeOffset callStart, double seconds, CancellationToken cancellationToken = default)
    {
        var added = false;
        OperatingBaskets baskets;
        while (true)
        {
            var entry = Get(key, ref added);
            lock (entry)
            {
                if (entry.Removed) continue;
                baskets = entry.Baskets = entry.Baskets.Add(callStart.UtcTicks, seconds);
                break;
            }
        }
        if (added) MakeRoomIfDue(callStart);
        return ValueTask.FromResult(baskets);
    }

    public ValueTask ForgetAsync(IReadOnlyCollection<string>? prefixes, CancellationToken cancellationToken = default)
    {
        foreach (var (key, entry) in _entries)
        {
            if (prefixes is not null && !prefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))) continue;
            lock (entry)
            {
                if (!entry.Removed) Remove(key, entry);
            }
        }
        return ValueTask.CompletedTask;
    }

    public Task<int> SweepExpiredAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(RemoveIdle(cutoff.UtcTicks, limit));

    private Entry Get(string key, ref bool added)
    {
        if (_entries.TryGetValue(key, out var entry)) return entry;
        var created = new Entry();
        entry = _entries.GetOrAdd(key, created);
        if (ReferenceEquals(entry, created))
        {
            Interlocked.Increment(ref _count);
            added = true;
        }
        return entry;
    }

    /// <summary>
    /// After an insert: once the count has doubled since the last look (or reached the capacity), drop what
    /// is idle. Each look is paid for by the inserts before it. Over the capacity a thread waits for room;
    /// below it, one thread looks while the others go on.
    /// </summary>
    private void MakeRoomIfDue(DateTimeOffset now)
    {
        var count = Volatile.Read(ref _count);
        if (count <= Volatile.Read(ref _sweepAt)) return;
        if (count > _capacity) _sweepLock.Enter();
        else if (!_sweepLock.TryEnter()) return;
        try
        {
            if (Volatile.Read(ref _count) <= _sweepAt) return;
            RemoveIdle(now.UtcTicks - IExpiringStore.Grace.Ticks, int.MaxValue);
            if (Volatile.Read(ref _count) > _capacity / 4 * 3) EvictNearestEmpty(now.UtcTicks, _capacity / 4 * 3);
            Volatile.Write(ref _sweepAt, Math.Min(Math.Max(2 * Volatile.Read(ref _count), FirstSweepAt), _capacity));
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    private int RemoveIdle(long cutoffTicks, int limit)
    {
        var removed = 0;
        foreach (var (key, entry) in _entries)
        {
            if (removed >= limit) break;
            lock (entry)
            {
                if (!entry.Removed && IsIdle(entry, cutoffTicks) && Remove(key, entry)) removed++;
            }
        }
        return removed;
    }

    private static bool IsIdle(Entry entry, long cutoffTicks) =>
        (entry.Bucket is not { } bucket || bucket.LevelAt(entry.PerSecond, cutoffTicks) <= 0)
        && (entry.Baskets.Baskets.Count == 0 || entry.Baskets.Baskets[^1].StartTicks + OperatingBaskets.Window.Ticks <= cutoffTicks);

    /// <summary>The hard cap: drops live buckets, least full first, until <paramref name="target"/> remain. Entries with live baskets stay.</summary>
    private void EvictNearestEmpty(long nowTicks, int target)
    {
        var candidates = new List<(double Level, string Key, Entry Entry)>();
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (entry.Removed || entry.Baskets.Live(nowTicks).Baskets.Count > 0) continue;
                candidates.Add((entry.Bucket?.LevelAt(entry.PerSecond, nowTicks) ?? 0, key, entry));
            }
        }
        candidates.Sort((a, b) => a.Level.CompareTo(b.Level));
        foreach (var (_, key, entry) in candidates)
        {
            if (Volatile.Read(ref _count) <= target) break;
            lock (entry)
            {
                if (!entry.Removed) Remove(key, entry);
            }
        }
    }

    /// <summary>Called under the entry's lock, so no thread can change the entry between the check and the removal.</summary>
    private bool Remove(string key, Entry entry)
    {
        if (!_entries.TryRemove(new KeyValuePair<string, Entry>(key, entry))) return false;
        entry.Removed = true;
        Interlocked.Decrement(ref _count);
        return true;
    }
}
