namespace B24Mail.Rest.Identity;

/// <summary>A webhook as the operator lists it: never its secret.</summary>
public sealed record WebhookInfo(long Id, long UserId, IReadOnlySet<string> Scopes, string Title, bool Active, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt);
