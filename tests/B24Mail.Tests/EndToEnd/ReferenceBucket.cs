namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// The rule as the docs state it, written out separately from the server: the level drains by Y per
/// second, a request adds 1, and a request that would take the level past X is refused and adds nothing.
/// Decimal arithmetic, so the boundary is exact.
/// </summary>
internal sealed class ReferenceBucket(decimal burst, decimal perSecond)
{
    private decimal _level;
    private decimal _at;

    public bool Offer(decimal now)
    {
        _level = Math.Max(0, _level - (now - _at) * perSecond);
        _at = now;
        if (_level + 1 > burst) return false;
        _level += 1;
        return true;
    }
}
