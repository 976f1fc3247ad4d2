using System.Collections.Concurrent;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// Query results of one group of tables this node keeps, in generations named by the <see cref="GroupVersion"/>
/// they are valid for. A generation exists only once its counts have been read (or returned by a write's bump),
/// and every write counted in them committed before its bump, so a result loaded after taking a generation
/// reflects all of them and may be kept in it. A caller that read counts V uses the newest generation if it
/// covers V; otherwise a newer generation starts and the old one is dropped whole.
/// </summary>
internal sealed class NodeCache
{
    /// <summary>One node's cache of a group for every connection, so larger than a SQLite connection's (see <see cref="CacheCharge"/>).</summary>
    internal const int Budget = 16 * 1024 * 1024;

    private Generation _current = new(new GroupVersion(-1, -1));

    public Generation For(GroupVersion version)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current.Version.Covers(version)) return current;
            Interlocked.CompareExchange(ref _current, new Generation(current.Version.Max(version)), current);
        }
    }

    /// <summary>Keeps a result in <paramref name="generation"/>; one that would pass the budget empties it first (if it is still the newest).</summary>
    public void Add(Generation generation, string key, object value)
    {
        var cost = CacheCharge.Of(key, value);
        if (cost > Budget) return;
        if (!generation.TryCharge(cost))
        {
            var fresh = new Generation(generation.Version);
            if (Interlocked.CompareExchange(ref _current, fresh, generation) != generation) return;
            generation = fresh;
            generation.TryCharge(cost);
        }
        generation.Entries.TryAdd(key, value);
    }

    internal sealed class Generation(GroupVersion version)
    {
        private int _cost;

        public GroupVersion Version { get; } = version;

        public ConcurrentDictionary<string, object> Entries { get; } = new(StringComparer.Ordinal);

        public bool TryCharge(int cost)
        {
            if (Interlocked.Add(ref _cost, cost) <= Budget) return true;
            Interlocked.Add(ref _cost, -cost);
            return false;
        }
    }
}
