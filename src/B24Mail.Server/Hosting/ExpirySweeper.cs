using B24Mail.Rest.Expiry;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Limits;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Deletes what has stopped mattering, once a minute: expired OAuth codes and tokens, drained rate buckets
/// and expired operating baskets, in whichever store holds them. Readers already ignore these rows; this
/// keeps them from piling up. Each batch is its own short write and a round stops after a few, so a large
/// backlog is worked off over several minutes without holding the writer; every node sweeps, and two
/// sweeps of one row simply find it gone.
/// </summary>
public sealed class ExpirySweeper(IOAuthStore oauth, ILimitStore limits, RestLimits restLimits, TimeProvider time, ILogger<ExpirySweeper> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Rows per batch (one transaction).</summary>
    public const int BatchSize = 1000;

    /// <summary>Batches per store per round, so one round deletes at most 10,000 rows of each store.</summary>
    public const int MaxBatches = 10;

    private readonly IExpiringStore[] _stores = new object[] { oauth, limits, restLimits }.OfType<IExpiringStore>().ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await SweepOnceAsync(time.GetUtcNow(), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round at <paramref name="now"/>: rows that expired more than <see cref="IExpiringStore.Grace"/> before it; returns how many went.</summary>
    public async Task<int> SweepOnceAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = now - IExpiringStore.Grace;
        var total = 0;
        foreach (var store in _stores)
        {
            try
            {
                for (var batch = 0; batch < MaxBatches; batch++)
                {
                    var removed = await store.SweepExpiredAsync(cutoff, BatchSize, cancellationToken);
                    total += removed;
                    if (removed < BatchSize) break;
                }
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A database that is briefly away must not stop the server; the next round tries again.
                log.LogWarning(exception, "Sweeping expired rows of {Store} failed; the next round tries again.", store.GetType().Name);
            }
        }
        return total;
    }
}
