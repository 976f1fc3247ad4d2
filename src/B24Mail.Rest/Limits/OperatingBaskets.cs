namespace B24Mail.Rest.Limits;

/// <summary>
/// Execution time of one (app or webhook, method) in one-minute baskets (docs/protocol.md §8.2): a basket opens at the
/// first call of its minute and expires ten minutes after it opened. <c>operating</c> is the sum of live
/// baskets, <c>operating_reset_at</c> when the oldest live one expires.
/// </summary>
public sealed record OperatingBaskets(IReadOnlyList<(long StartTicks, double Seconds)> Baskets)
{
    public static readonly TimeSpan BasketLength = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    public static readonly OperatingBaskets Empty = new([]);

    public OperatingBaskets Live(long nowTicks) => Baskets.Count == 0 || Baskets[0].StartTicks + Window.Ticks > nowTicks
        ? this
        : new(Baskets.Where(b => b.StartTicks + Window.Ticks > nowTicks).ToList());

    public double Total
    {
        get
        {
            var total = 0.0;
            for (var i = 0; i < Baskets.Count; i++) total += Baskets[i].Seconds;
            return total;
        }
    }

    /// <summary>Adds a call's time to the current basket, or opens a new one; <paramref name="nowTicks"/> is when the call started.</summary>
    public OperatingBaskets Add(long nowTicks, double seconds)
    {
        var live = Live(nowTicks).Baskets;
        var next = new List<(long StartTicks, double Seconds)>(live.Count + 1);
        next.AddRange(live);
        if (next.Count > 0 && next[^1].StartTicks + BasketLength.Ticks > nowTicks) next[^1] = (next[^1].StartTicks, next[^1].Seconds + seconds);
        else next.Add((nowTicks, seconds));
        return new OperatingBaskets(next);
    }

    /// <summary>Unix seconds when the oldest live basket expires; with none, a window from <paramref name="nowTicks"/>.</summary>
    public long ResetAt(long nowTicks)
    {
        var start = Baskets.Count > 0 ? Baskets[0].StartTicks : nowTicks;
        return new DateTimeOffset(start + Window.Ticks, TimeSpan.Zero).ToUnixTimeSeconds();
    }
}
