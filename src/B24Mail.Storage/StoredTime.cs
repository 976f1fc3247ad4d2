namespace B24Mail.Storage;

/// <summary>
/// The one unit of every point in time a store keeps: Unix milliseconds (UTC) in a BIGINT column, on both
/// dialects and in every module. Before schema history issue 15 the identity tables kept Unix seconds and the
/// limit tables .NET ticks; their migrations converted the rows. Milliseconds are fine enough for token expiry
/// and the rate limit's drain, and one unit means a query can compare any two stored times without knowing
/// which table they came from.
/// </summary>
public static class StoredTime
{
    public static long From(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? From(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset ToTime(long stored) => DateTimeOffset.FromUnixTimeMilliseconds(stored);

    /// <summary>The time as it will read back: whole milliseconds, so a value handed out equals the stored one.</summary>
    public static DateTimeOffset Whole(DateTimeOffset time) => ToTime(From(time));
}
