namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>An uploaded file as the journal keeps it: its name and size, never its content.</summary>
public sealed record JournalFile(string FileName, long Bytes);
