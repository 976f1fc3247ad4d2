namespace B24Mail.Rest.Identity;

/// <summary>
/// One Bitrix24 account hosted by this server; every row and file belongs to one. A null rate limit means the
/// server's. The licence type and language make <c>app.info</c>'s <c>LICENSE</c> (docs/decisions.md #24).
/// </summary>
public sealed record Portal(long Id, string Code, string MemberId, string Domain, string SiteId, Limits.RateLimit? RateLimit = null, string LicenseType = Licence.DefaultType, string Language = Licence.DefaultLanguage)
{
    /// <summary><c>&lt;lang&gt;_&lt;type&gt;</c>, as <c>app.info</c> reports it.</summary>
    public string License => Language + "_" + LicenseType;
}

/// <summary>A user of a portal. The two times are null only for users made before they were recorded.</summary>
public sealed record PortalUser(long PortalId, long Id, string Name, string LastName, string Email, bool IsAdmin, bool IsActive, DateTimeOffset? RegisteredAt = null, DateTimeOffset? LastLoginAt = null);

public enum AuthKind
{
    Webhook,
    OAuth,
}

/// <summary>
/// A webhook as looked up by its secret's hash, with the owner and portal it acts for. <see cref="HostPortalId"/>
/// is the portal whose domain the request was sent to, if any, found in the same query.
/// </summary>
public sealed record WebhookGrant(long Id, Portal Portal, PortalUser User, IReadOnlySet<string> Scopes, bool Active, DateTimeOffset? ExpiresAt, byte[] SecretHash, long? HostPortalId = null);

/// <summary>
/// An OAuth application installed on a portal. Its secret is kept only as a hash, plus the key that signs
/// secure calls (docs/decisions.md #26): the hex MD5 of member_id and client_secret, which cannot give the secret back.
/// Apps installed before the key was kept have none, and their calls carry no <c>signature</c>.
/// </summary>
public sealed record OAuthApp(long Id, long PortalId, string ClientId, string Name, IReadOnlySet<string> Scopes, string RedirectUri, string Code, int Version, bool Active, byte[] SecretHash, string? SigningKey = null);

/// <summary>An access token as looked up by its hash, with the portal of the request's domain as for webhooks.</summary>
public sealed record TokenGrant(Portal Portal, PortalUser User, OAuthApp App, IReadOnlySet<string> Scopes, DateTimeOffset ExpiresAt, long? HostPortalId = null);

/// <summary>Who is calling, as the dispatcher decided before any method runs.</summary>
public sealed record Caller(Portal Portal, PortalUser User, AuthKind Kind, long CredentialId, IReadOnlySet<string> Scopes, OAuthApp? App = null)
{
    public bool HasAnyScope(IReadOnlyList<string> scopes)
    {
        foreach (var scope in scopes)
        {
            if (Scopes.Contains(scope)) return true;
        }
        return false;
    }
}
