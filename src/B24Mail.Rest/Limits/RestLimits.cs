using System.Net;
using B24Mail.Rest.Expiry;
using B24Mail.Rest.Identity;

namespace B24Mail.Rest.Limits;

/// <summary>
/// The two limits as the dispatcher applies them, over whichever <see cref="ILimitStore"/> holds the state.
/// While the operating limit is off its figures are only reported, so they are kept per node in memory
/// and cost no shared write; switched on, they go to the shared store like the rate limit.
/// </summary>
public sealed class RestLimits(ILimitStore store, LimitOptions options) : IExpiringStore
{
    private readonly MemoryLimitStore? _local = options.OperatingLimitSeconds > 0 ? null : new MemoryLimitStore();

    private ILimitStore Operating => _local ?? store;

    /// <summary>Sweeps the per-node figures kept while the operating limit is off; the shared store is swept on its own.</summary>
    public Task<int> SweepExpiredAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default) =>
        _local?.SweepExpiredAsync(cutoff, limit, cancellationToken) ?? Task.FromResult(0);

    /// <summary>The leaky bucket per (portal, client IP); a batch is one request. The portal's own setting wins.</summary>
    public ValueTask<bool> AcceptRequestAsync(Portal portal, IPAddress? clientIp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limit = portal.RateLimit ?? new RateLimit(options.RateEnabled, options.RateBurst, options.RatePerSecond);
        if (!limit.Enabled) return ValueTask.FromResult(true);
        return store.TryTakeAsync($"rate:{portal.Id}:{clientIp}", limit.Burst, limit.PerSecond, now, cancellationToken);
    }

    public static string OperatingKey(Caller caller, string method) =>
        $"op:{(caller.Kind == AuthKind.OAuth ? "app" : "hook")}:{caller.CredentialId}:{method.ToLowerInvariant()}";

    public ValueTask<OperatingBaskets> BasketsAsync(string key, DateTimeOffset now, CancellationToken cancellationToken) => Operating.GetBasketsAsync(key, now, cancellationToken);

    /// <summary>True when the method is blocked: the limit is on and already used up before this call.</summary>
    public bool IsBlocked(OperatingBaskets baskets) => options.OperatingLimitSeconds > 0 && baskets.Total > options.OperatingLimitSeconds;

    /// <summary>Forgets limit state under these key prefixes (every key when null), in the shared store and in this node's own figures.</summary>
    public async ValueTask ForgetAsync(IReadOnlyCollection<string>? prefixes, CancellationToken cancellationToken = default)
    {
        await store.ForgetAsync(prefixes, cancellationToken);
        if (_local is not null) await _local.ForgetAsync(prefixes, cancellationToken);
    }

    public ValueTask<OperatingBaskets> RecordAsync(string key, DateTimeOffset start, double seconds, CancellationToken cancellationToken) => Operating.AddOperatingAsync(key, start, seconds, cancellationToken);
}
