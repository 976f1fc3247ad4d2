namespace B24Mail.Rest.Identity;

/// <summary>
/// An access token as looked up by its hash, with the portal of the request's domain as for webhooks.
/// <see cref="UserAllowed"/> is false when the app is limited to other users (docs/decisions.md #31).
/// </summary>
public sealed record TokenGrant(Portal Portal, PortalUser User, OAuthApp App, IReadOnlySet<string> Scopes, DateTimeOffset ExpiresAt, long? HostPortalId = null, bool UserAllowed = true);
