namespace B24Mail.Rest.Identity;

/// <summary>Who a code or refresh token was issued to.</summary>
public sealed record GrantOwner(Portal Portal, PortalUser User, OAuthApp App, IReadOnlySet<string> Scopes);
