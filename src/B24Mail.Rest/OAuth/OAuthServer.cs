using B24Mail.Rest.Identity;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.OAuth;

/// <summary>
/// The authorization server part of OAuth 2.0 (docs/protocol.md §5.1–5.2): codes that live 30 seconds and are used once,
/// the authorization_code and refresh_token grants, and rotation of refresh tokens on every refresh.
/// </summary>
public sealed class OAuthServer(IOAuthStore store, IIdentityStore identity, OAuthOptions options, TimeProvider time)
{
    /// <summary>Where this server answers as the authorization server (docs/decisions.md #25), below the request's origin.</summary>
    public const string ServerPath = "/oauth/rest/";

    /// <summary>Installs an app on a portal with a new client_id and client_secret, keeping the secret's hash and signing key only.</summary>
    public async Task<InstalledApp> InstallAsync(Portal portal, string name, IReadOnlyCollection<string> scopes, string redirectUri, CancellationToken cancellationToken = default)
    {
        var secret = Secrets.NewClientSecret();
        var code = "local." + name.ToLowerInvariant().Replace(' ', '_');
        var app = await store.AddAppAsync(portal.Id, Secrets.NewClientId(), Secrets.Hash(secret), name, scopes, redirectUri, code,
            SecuritySignature.SigningKey(portal.MemberId, secret), cancellationToken);
        return new InstalledApp(app, secret);
    }

    /// <summary>Records a user's consent; returns the one-time code the redirect carries.</summary>
    public async Task<string> ApproveAsync(OAuthApp app, PortalUser user, CancellationToken cancellationToken)
    {
        // The consent page is this server's stand-in for a portal's sign-in, so approving is a login.
        await identity.RecordLoginAsync(app.PortalId, user.Id, cancellationToken);
        var code = Secrets.NewToken();
        await store.SaveCodeAsync(Secrets.Hash(code), app.Id, app.PortalId, user.Id, time.GetUtcNow() + options.CodeLifetime, cancellationToken);
        return code;
    }

    /// <summary>Issues a pair directly, for the <c>token issue</c> command.</summary>
    public async Task<IssuedTokens> IssueAsync(OAuthApp app, PortalUser user, CancellationToken cancellationToken)
    {
        var (issued, tokens) = NewPair();
        await store.SaveTokensAsync(app.Id, app.PortalId, user.Id, app.Scopes, tokens, cancellationToken);
        return issued;
    }

    /// <summary>Handles a request to /oauth/token/ and returns the documented response body.</summary>
    public async Task<PhpArray> TokenAsync(PhpArray parameters, string baseUrl, string host, CancellationToken cancellationToken)
    {
        var grantType = Text(parameters, "grant_type");
        if (grantType is not ("authorization_code" or "refresh_token")) throw OAuthError.InvalidRequest("grant_type must be authorization_code or refresh_token");
        var clientId = Text(parameters, "client_id") ?? throw OAuthError.InvalidRequest("client_id is required");
        var clientSecret = Text(parameters, "client_secret") ?? throw OAuthError.InvalidRequest("client_secret is required");
        var app = await store.FindAppAsync(clientId, cancellationToken);
        if (app is null || !app.Active || !Secrets.Matches(app.SecretHash, Secrets.Hash(clientSecret))) throw OAuthError.InvalidClient;

        var (issued, tokens) = NewPair();
        GrantOwner? owner;
        if (grantType == "authorization_code")
        {
            var code = Text(parameters, "code") ?? throw OAuthError.InvalidRequest("code is required");
            owner = await store.ExchangeCodeAsync(Secrets.Hash(code), app.Id, time.GetUtcNow(), tokens, cancellationToken);
            if (owner is null) throw OAuthError.InvalidGrant("Invalid authorization code");
        }
        else
        {
            var refresh = Text(parameters, "refresh_token") ?? throw OAuthError.InvalidRequest("refresh_token is required");
            owner = await store.RotateRefreshTokenAsync(Secrets.Hash(refresh), app.Id, time.GetUtcNow(), tokens, cancellationToken);
            if (owner is null) throw OAuthError.InvalidGrant("Invalid refresh token");
        }
        if (!owner.User.IsActive) throw OAuthError.InvalidGrant("The user is not active");
        return Response(issued, owner, baseUrl, host);
    }

    /// <summary>
    /// Every field of docs/protocol.md §5.3. This server is both the portal (<c>client_endpoint</c>) and the authorization
    /// server (<c>server_endpoint</c>, a path of its own as the cloud's is a host of its own).
    /// </summary>
    public PhpArray Response(IssuedTokens issued, GrantOwner owner, string baseUrl, string host) => PhpArray.From(
        ("access_token", issued.AccessToken),
        ("client_endpoint", baseUrl + "/rest/"),
        ("domain", host),
        ("expires", issued.AccessExpiresAt.ToUnixTimeSeconds()),
        ("expires_in", (long)options.AccessTokenLifetime.TotalSeconds),
        ("member_id", owner.Portal.MemberId),
        ("refresh_token", issued.RefreshToken),
        ("scope", string.Join(',', owner.Scopes.Order(StringComparer.Ordinal))),
        ("server_endpoint", baseUrl + ServerPath),
        ("status", "L"),
        ("user_id", owner.User.Id));

    /// <summary>
    /// <c>app.info</c> as the authorization server answers it (docs/decisions.md #25): the token's app, scopes, expiry and
    /// user, and the installation it belongs to. SDKs check <c>install.member_id</c> and <c>install.domain</c>
    /// against the portal they were told about, so those name what the token answer named.
    /// </summary>
    public async Task<PhpArray> ServerAppInfoAsync(string? accessToken, string baseUrl, string host, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accessToken)) throw Errors.SystemErrors.InvalidToken;
        var grant = await store.FindAccessTokenAsync(Secrets.Hash(accessToken), host, cancellationToken) ?? throw Errors.SystemErrors.InvalidToken;
        if (grant.ExpiresAt <= time.GetUtcNow()) throw Errors.SystemErrors.ExpiredToken;
        if (!grant.User.IsActive || !grant.App.Active) throw Errors.SystemErrors.InvalidToken;
        var scope = string.Join(',', grant.Scopes.Order(StringComparer.Ordinal));
        var install = PhpArray.From(
            ("installed", true),
            ("version", grant.App.Version),
            ("status", "L"),
            ("scope", string.Join(',', grant.App.Scopes.Order(StringComparer.Ordinal))),
            ("domain", host),
            ("uri", baseUrl),
            ("client_endpoint", baseUrl + "/rest/"),
            ("member_id", grant.Portal.MemberId),
            ("member_type", "P"));
        return PhpArray.From(
            ("client_id", grant.App.ClientId),
            ("scope", scope),
            ("expires", Dispatch.TimeBlock.FormatDate(grant.ExpiresAt, time.LocalTimeZone)),
            ("install", install),
            ("user_id", grant.User.Id));
    }

    public async Task<(OAuthApp App, Portal Portal)?> FindAppAsync(string? clientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId)) return null;
        var app = await store.FindAppAsync(clientId, cancellationToken);
        if (app is null || !app.Active) return null;
        var portal = await identity.FindPortalByIdAsync(app.PortalId, cancellationToken);
        return portal is null ? null : (app, portal);
    }

    private (IssuedTokens Issued, NewTokens Stored) NewPair()
    {
        var now = time.GetUtcNow();
        var access = Secrets.NewToken();
        var refresh = Secrets.NewToken();
        var stored = new NewTokens(Secrets.Hash(access), Secrets.Hash(refresh), now + options.AccessTokenLifetime, now + options.RefreshTokenLifetime);
        return (new IssuedTokens(access, refresh, stored.AccessExpiresAt), stored);
    }

    private static string? Text(PhpArray parameters, string name) => parameters[name] is string s && s.Length > 0 ? s : null;
}
