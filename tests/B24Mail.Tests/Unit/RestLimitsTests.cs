using B24Mail.Rest.Limits;

namespace B24Mail.Tests.Unit;

/// <summary>The operating figures a node keeps for itself while the operating limit is off are swept too.</summary>
public class RestLimitsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task With_the_limit_off_the_nodes_own_figures_are_swept_once_expired()
    {
        var token = TestContext.Current.CancellationToken;
        var limits = new RestLimits(new MemoryLimitStore(), new LimitOptions());
        await limits.RecordAsync("op:hook:1:mailservice.get", Start, 0.5, token);
        Assert.Equal(0, await limits.SweepExpiredAsync(Start.AddMinutes(9), 10, token));
        Assert.Equal(1, await limits.SweepExpiredAsync(Start.AddMinutes(10), 10, token));
        Assert.Equal(0, (await limits.BasketsAsync("op:hook:1:mailservice.get", Start.AddMinutes(10), token)).Total);
    }

    [Fact]
    public async Task With_the_limit_on_the_figures_are_in_the_shared_store_which_is_swept_on_its_own()
    {
        var token = TestContext.Current.CancellationToken;
        var shared = new MemoryLimitStore();
        var limits = new RestLimits(shared, new LimitOptions { OperatingLimitSeconds = 480 });
        await limits.RecordAsync("op:hook:1:mailservice.get", Start, 0.5, token);
        Assert.Equal(0, await limits.SweepExpiredAsync(Start.AddMinutes(10), 10, token));
        Assert.Equal(1, await shared.SweepExpiredAsync(Start.AddMinutes(10), 10, token));
    }
}
