namespace B24Mail.Server.Commands;

/// <summary>A command line that cannot be run as written: exit code 2, and nothing is written.</summary>
public sealed class CommandException(string message) : Exception(message);
