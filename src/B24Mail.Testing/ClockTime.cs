namespace B24Mail.Testing;

/// <summary>The server's manual clock.</summary>
public sealed record ClockTime(string Clock, DateTimeOffset Now);
