namespace B24Mail.Rest.Expiry;

/// <summary>
/// A store that keeps rows past the moment they stop mattering (expired codes and tokens, drained rate
/// buckets, expired operating baskets) and can delete them. Deleting is bounded per call, so that a large
/// backlog never holds the database's writer for long.
/// </summary>
public interface IExpiringStore
{
    /// <summary>
    /// How long after expiry a row is still kept. Nodes' clocks differ a little, and a request may act on a
    /// time it read a moment before; a row swept this late no longer changes any answer.
    /// </summary>
    static TimeSpan Grace { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Deletes at most <paramref name="limit"/> rows that no longer matter at <paramref name="cutoff"/>; returns how many it deleted.</summary>
    Task<int> SweepExpiredAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default);
}
