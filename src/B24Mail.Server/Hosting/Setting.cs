using System.CommandLine;

namespace B24Mail.Server.Hosting;

/// <summary>
/// One server setting as the command line declares it: its option, the configuration key its value is
/// bound from, and how to read the value the command line gave (null when it gave none, so the
/// environment or <c>DATA/b24mail.json</c> still count).
/// </summary>
public sealed record Setting(Option Option, string Key, string Environment, Func<ParseResult, string?> Given);
