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

    /// <summary>
    /// Forgets the buckets and baskets whose keys start with one of <paramref name="prefixes"/>, or every one when
    /// it is null: a reset of the state starts its portals' limits afresh.
    /// </summary>
    ValueTask ForgetAsync(IReadOnlyCollection<string>? prefixes, CancellationToken cancellationToken = default);
}
