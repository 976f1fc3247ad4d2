namespace B24Mail.Storage.State;

/// <summary>What a reset did: the portals it returned to the baseline and those it removed, and the limit keys to forget (null: all).</summary>
public sealed record ResetOutcome(IReadOnlyList<string> Reset, IReadOnlyList<string> Removed, IReadOnlyList<string>? LimitPrefixes);
