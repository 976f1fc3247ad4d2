using B24Mail.Rest.Values;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>One command of a recorded batch: its key, method, masked parameters, and its error's status and code if it failed.</summary>
public sealed record JournalCommand(string Key, string Method, PhpArray Params, int Status, string? Error);
