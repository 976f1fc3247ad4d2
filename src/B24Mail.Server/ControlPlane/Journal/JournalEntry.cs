using B24Mail.Rest.Values;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>
/// One recorded call, its parameters already masked and bounded (<see cref="JournalCopy"/>); turned into JSON, and
/// its path masked (<see cref="RequestJournal.MaskPath"/>), only when read. <see cref="Answer"/> is the answer's first bytes, masked when read.
/// </summary>
public sealed record JournalEntry(
    long Id,
    DateTimeOffset Time,
    string HttpMethod,
    string Path,
    string? Method,
    string? Portal,
    string Credential,
    long? User,
    PhpArray? Params,
    int Status,
    string? Error,
    double DurationMs,
    byte[]? Answer,
    int AnswerBytes,
    IReadOnlyList<JournalCommand>? Commands);
