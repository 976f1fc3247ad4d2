namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>A string longer than the journal keeps: its start and its whole length.</summary>
public sealed record JournalText(string Start, int Length);
