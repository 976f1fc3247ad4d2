using System.Text.Json;

namespace B24Mail.Testing;

/// <summary>One call the server recorded (README, Request journal); secrets in it are masked as <c>****</c>. <see cref="Response"/> is the answer as JSON when it was JSON, else its text.</summary>
public sealed record JournalRequest(
    long Id,
    DateTimeOffset Time,
    string HttpMethod,
    string Path,
    string? Method,
    string? Portal,
    string? Credential,
    long? User,
    int Status,
    string? Error,
    double DurationMs,
    JsonElement? Params,
    JsonElement? Response);
