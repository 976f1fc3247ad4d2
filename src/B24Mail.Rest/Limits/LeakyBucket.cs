namespace B24Mail.Rest.Limits;

/// <summary>
/// One bucket's arithmetic (docs/protocol.md §8.1): each request adds 1, the level drains by <c>perSecond</c>, and a
/// request is refused when it would lift the level past <c>burst</c>. A refused request adds nothing.
/// </summary>
public readonly record struct LeakyBucket(double Level, long UpdatedTicks)
{
    public static (bool Allowed, LeakyBucket Next) Offer(LeakyBucket? current, double burst, double perSecond, long nowTicks)
    {
        var level = current?.LevelAt(perSecond, nowTicks) ?? 0.0;
        if (level + 1 > burst) return (false, new LeakyBucket(level, nowTicks));
        return (true, new LeakyBucket(level + 1, nowTicks));
    }

    /// <summary>The level after draining until <paramref name="nowTicks"/>; at 0 the bucket is the same as none.</summary>
    public double LevelAt(double perSecond, long nowTicks)
    {
        var elapsed = Math.Max(0, nowTicks - UpdatedTicks) / (double)TimeSpan.TicksPerSecond;
        return Math.Max(0, Level - elapsed * perSecond);
    }

    /// <summary>
    /// When the bucket has drained to 0, rounded up and a tick late so that <see cref="LevelAt"/> is surely 0
    /// by then; <see cref="long.MaxValue"/> if it never drains (a rate of 0, or beyond the calendar).
    /// </summary>
    public long EmptyAtTicks(double perSecond)
    {
        if (Level <= 0) return UpdatedTicks;
        if (!(perSecond > 0)) return long.MaxValue;
        var drain = Math.Ceiling(Level / perSecond * TimeSpan.TicksPerSecond) + 1;
        return drain >= long.MaxValue - UpdatedTicks ? long.MaxValue : UpdatedTicks + (long)drain;
    }
}
