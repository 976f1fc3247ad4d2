namespace B24Mail.Testing;

/// <summary>The part of the answer to an added fault rule a test needs: its ID, to remove it.</summary>
public sealed record FaultRuleAdded(long Id);
