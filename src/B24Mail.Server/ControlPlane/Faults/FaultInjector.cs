using System.Diagnostics.Metrics;
using B24Mail.Rest.Faults;
using B24Mail.Rest.Identity;

namespace B24Mail.Server.ControlPlane.Faults;

/// <summary>
/// Decides, per call, whether a rule fires: the first rule (by ID) that matches, wins its draw and still has
/// fires left. Draws come from one <see cref="Random"/>, seeded by <c>--fault-seed</c> when given, so a run
/// of the same calls fires the same way again. Each fire is counted on the <c>B24Mail</c> meter.
/// </summary>
public sealed class FaultInjector : IFaultHook, IResetWithState
{
    private static readonly Meter Meter = new("B24Mail");
    private static readonly Counter<long> Hits = Meter.CreateCounter<long>("b24mail.faults.hits", description: "Calls a fault rule changed, by the error it answered (or drop, delay).");

    private readonly FaultStore _store;
    private readonly Random _random;
    private readonly Lock _draw = new();

    public FaultInjector(FaultStore store, ControlPlaneOptions options)
    {
        _store = store;
        _random = options.FaultSeed is { } seed ? new Random(seed) : new Random();
    }

    public async ValueTask<Fault?> NextAsync(string methodName, Caller caller, CancellationToken cancellationToken)
    {
        var rules = await _store.ListAsync(cancellationToken);
        if (rules.Count == 0) return null;
        foreach (var rule in rules)
        {
            if (rule.UsedUp || !rule.Matches(methodName, caller)) continue;
            if (rule.Probability < 1 && Draw() >= rule.Probability) continue;
            if (!await _store.TryFireAsync(rule.Id)) continue;
            Hits.Add(1, new KeyValuePair<string, object?>("error", rule.HitTag));
            return rule.ToFault();
        }
        return null;
    }

    private double Draw()
    {
        lock (_draw) return _random.NextDouble();
    }

    public Task ResetAsync(CancellationToken cancellationToken) => _store.ClearAsync();
}
