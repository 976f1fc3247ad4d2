using B24Mail.Rest.Limits;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.Unit;

/// <summary>The single node's limit store stays bounded however many addresses call, and stays exact for each.</summary>
public class MemoryLimitStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string Address(int i) => $"rate:1:10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";

    /// <summary>
    /// A million addresses, one call each, a millisecond apart (times passed in, as the dispatcher passes its
    /// clock's), with one steady address among them checked call by call against the reference model:
    /// bursts, refills to the boundary, and quiet spells long enough for its entry to be swept and begun again.
    /// </summary>
    [Fact]
    public async Task A_million_addresses_calling_once_leave_a_bounded_store_and_a_steady_caller_exact()
    {
        var store = new MemoryLimitStore();
        var model = new ReferenceBucket(5, 2);
        var random = new Random(20260101);
        var (allowed, refused, maxCount, nextSteady) = (0, 0, 0, 0L);
        for (var i = 0; i < 1_000_000; i++)
        {
            var now = Start.AddTicks(i * TimeSpan.TicksPerMillisecond);
            await store.TryTakeAsync(Address(i), 5, 2, now, TestContext.Current.CancellationToken);
            while (nextSteady == i)
            {
                var expected = model.Offer(i / 1000m);
                var actual = await store.TryTakeAsync("rate:1:192.0.2.1", 5, 2, now, TestContext.Current.CancellationToken);
                Assert.True(expected == actual, $"steady address at {i} ms: expected {(expected ? "allowed" : "refused")}");
                if (actual) allowed++;
                else refused++;
                nextSteady += random.Next(0, 100) switch { < 70 => 0, < 78 => 125, < 86 => 250, < 92 => 500, < 99 => 1500, _ => 150_000 };
            }
            maxCount = Math.Max(maxCount, store.Count);
        }
        Assert.True(allowed > 100 && refused > 100, $"{allowed} allowed, {refused} refused: the sequence must exercise both");
        Assert.True(maxCount <= MemoryLimitStore.DefaultCapacity, $"{maxCount} entries at most");

        // Two quiet minutes later every bucket has drained: one sweep leaves nothing.
        var later = Start.AddTicks(1_000_000 * TimeSpan.TicksPerMillisecond).AddMinutes(2);
        await store.SweepExpiredAsync(later, int.MaxValue, TestContext.Current.CancellationToken);
        Assert.Equal(0, store.Count);
    }

    /// <summary>Addresses that are all full at once cannot be told apart by idleness; the cap still holds, and the fullest bucket is the last to go.</summary>
    [Fact]
    public async Task Past_its_capacity_the_store_drops_the_least_full_live_buckets()
    {
        var store = new MemoryLimitStore(1000);
        for (var i = 0; i < 5; i++) Assert.True(await store.TryTakeAsync("rate:1:full", 5, 0.001, Start, TestContext.Current.CancellationToken));
        for (var i = 0; i < 10_000; i++)
        {
            await store.TryTakeAsync(Address(i), 5, 0.001, Start, TestContext.Current.CancellationToken);
            Assert.True(store.Count <= 1000, $"{store.Count} entries after {i + 1} addresses");
        }
        Assert.False(await store.TryTakeAsync("rate:1:full", 5, 0.001, Start, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_sweep_keeps_live_buckets_and_baskets_and_is_bounded()
    {
        var store = new MemoryLimitStore();
        var token = TestContext.Current.CancellationToken;
        for (var i = 0; i < 5; i++) await store.TryTakeAsync("rate:drained:" + i, 5, 2, Start, token);
        await store.TryTakeAsync("rate:slow", 5, 0.001, Start, token);
        await store.AddOperatingAsync("op:old", Start.AddMinutes(-12), 1, token);
        await store.AddOperatingAsync("op:live", Start.AddMinutes(-9.5), 1, token);
        await store.AddOperatingAsync("op:live", Start.AddMinutes(-0.5), 2, token);

        // At the cutoff the drained buckets and op:old are empty; op:live's second basket is not.
        var cutoff = Start.AddMinutes(1);
        Assert.Equal(2, await store.SweepExpiredAsync(cutoff, 2, token));
        Assert.Equal(4, await store.SweepExpiredAsync(cutoff, 100, token));
        Assert.Equal(0, await store.SweepExpiredAsync(cutoff, 100, token));
        Assert.Equal(2, store.Count);
        Assert.Equal(2, (await store.GetBasketsAsync("op:live", cutoff, token)).Total, 6);
    }
}
