namespace B24Mail.Rest.Identity;

/// <summary>
/// OAuth applications, authorization codes and tokens. Codes and tokens are stored as hashes. Exchanging
/// a code and rotating a refresh token each happen in one transaction, so a code or a refresh token can be
/// used once, even by two nodes at the same moment.
/// </summary>
public interface IOAuthStore
{
    /// <summary>Installs an app; <paramref name="signingKey"/> is what signs its secure calls (<see cref="SecuritySignature"/>).</summary>
    Task<OAuthApp> AddAppAsync(long portalId, string clientId, byte[] secretHash, string name, IReadOnlyCollection<string> scopes, string redirectUri, string code, string? signingKey = null, CancellationToken cancellationToken = default);

    Task<OAuthApp?> FindAppAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary>Limits the app to these users of its portal; an empty list opens it to all (docs/decisions.md #31).</summary>
    Task SetAppUsersAsync(long appId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default);

    /// <summary>The users the app is limited to; empty when it is open to all.</summary>
    Task<IReadOnlyList<long>> ListAppUsersAsync(long appId, CancellationToken cancellationToken = default);

    Task SaveCodeAsync(byte[] codeHash, long appId, long portalId, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Uses up a code of this app that has not expired and saves the tokens it buys; null if there is none.</summary>
    Task<GrantOwner?> ExchangeCodeAsync(byte[] codeHash, long appId, DateTimeOffset now, NewTokens tokens, CancellationToken cancellationToken = default);

    /// <summary>Issues tokens directly (the <c>token issue</c> command).</summary>
    Task SaveTokensAsync(long appId, long portalId, long userId, IReadOnlyCollection<string> scopes, NewTokens tokens, CancellationToken cancellationToken = default);

    /// <summary>Replaces a live refresh token of this app with a new pair; null if there is none.</summary>
    Task<GrantOwner?> RotateRefreshTokenAsync(byte[] refreshHash, long appId, DateTimeOffset now, NewTokens tokens, CancellationToken cancellationToken = default);

    Task<TokenGrant?> FindAccessTokenAsync(byte[] accessHash, string host, CancellationToken cancellationToken = default);
}
