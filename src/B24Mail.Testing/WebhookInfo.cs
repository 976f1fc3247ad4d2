namespace B24Mail.Testing;

/// <summary>A webhook. <see cref="Url"/> and <see cref="Secret"/> are set only in the answer that made it: the server keeps a hash.</summary>
public sealed record WebhookInfo(long Id, long User, IReadOnlyList<string> Scopes, string Title, bool Active, DateTimeOffset? ExpiresAt, string? Url = null, string? Secret = null);
