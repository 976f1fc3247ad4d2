namespace B24Mail.Rest.Limits;

/// <summary>
/// One bucket's arithmetic (docs/protocol.md §8.1): each request adds 1, the level drains by <c>perSecond</c>, and a
/// request is refused when it would lift the level past <c>burst</c>. A refused request adds nothing.
/// </summary>
public readonly record struct LeakyBucket(double Level, long UpdatedTicks)
{
    public static (bool Allowed, LeakyBucket Next) Offer(LeakyBucket? current, double burst, double perSecond, long nowTicks)
    {
        var level = 0.0;
        if (current is { } bucket)
        {
            var elapsed = Math.Max(0, nowTicks - bucket.UpdatedTicks) / (double)TimeSpan.TicksPerSecond;
            level = Math.Max(0, bucket.Level - elapsed * perSecond);
        }
        if (level + 1 > burst) return (false, new LeakyBucket(level, nowTicks));
        return (true, new LeakyBucket(level + 1, nowTicks));
    }
}
