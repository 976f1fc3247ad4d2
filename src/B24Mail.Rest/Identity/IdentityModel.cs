namespace B24Mail.Rest.Identity;

/// <summary>One Bitrix24 account hosted by this server; every row and file belongs to one.</summary>
public sealed record Portal(long Id, string MemberId, string Domain, string SiteId);

public sealed record PortalUser(long PortalId, long Id, string Name, string LastName, string Email, bool IsAdmin, bool IsActive);

public enum AuthKind
{
    Webhook,
    OAuth,
}

/// <summary>A webhook as looked up by its secret's hash, with the owner and portal it acts for.</summary>
public sealed record WebhookGrant(long Id, Portal Portal, PortalUser User, IReadOnlySet<string> Scopes, bool Active, DateTimeOffset? ExpiresAt, byte[] SecretHash);

/// <summary>Who is calling, as the dispatcher decided before any method runs.</summary>
public sealed record Caller(Portal Portal, PortalUser User, AuthKind Kind, long CredentialId, IReadOnlySet<string> Scopes)
{
    public bool HasScope(string scope) => Scopes.Contains(scope);
}
