namespace B24Mail.Rest.Identity;

/// <summary>
/// An OAuth application installed on a portal. Its secret is kept only as a hash, plus the key that signs
/// secure calls (docs/decisions.md #26): the hex MD5 of member_id and client_secret, which cannot give the secret back.
/// Apps installed before the key was kept have none, and their calls carry no <c>signature</c>.
/// </summary>
public sealed record OAuthApp(long Id, long PortalId, string ClientId, string Name, IReadOnlySet<string> Scopes, string RedirectUri, string Code, int Version, bool Active, byte[] SecretHash, string? SigningKey = null);
