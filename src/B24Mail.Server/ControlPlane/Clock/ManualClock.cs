namespace B24Mail.Server.ControlPlane.Clock;

/// <summary>
/// The server's time under <c>--clock manual</c>: it stands still until <c>/_b24mail/clock</c> sets or advances
/// it, so a test reaches a token's expiry, a webhook's expiry or a drained rate-limit bucket without sleeping.
/// Only the wall clock is manual: elapsed-time measurement (<see cref="TimeProvider.GetTimestamp"/>), which
/// times a method's processing, and timers stay real.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks = System.GetUtcNow().UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}
