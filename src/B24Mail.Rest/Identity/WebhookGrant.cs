namespace B24Mail.Rest.Identity;

/// <summary>
/// A webhook as looked up by its secret's hash, with the owner and portal it acts for. <see cref="HostPortalId"/>
/// is the portal whose domain the request was sent to, if any, found in the same query.
/// </summary>
public sealed record WebhookGrant(long Id, Portal Portal, PortalUser User, IReadOnlySet<string> Scopes, bool Active, DateTimeOffset? ExpiresAt, byte[] SecretHash, long? HostPortalId = null);
