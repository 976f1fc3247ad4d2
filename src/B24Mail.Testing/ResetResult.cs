namespace B24Mail.Testing;

/// <summary>What a reset did: the portals returned to the baseline, and those removed (added after it).</summary>
public sealed record ResetResult(IReadOnlyList<string> Reset, IReadOnlyList<string> Removed);
