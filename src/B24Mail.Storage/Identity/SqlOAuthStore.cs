using B24Mail.Rest.Expiry;
using B24Mail.Rest.Identity;
using static B24Mail.Storage.Identity.SqlIdentityStore;

namespace B24Mail.Storage.Identity;

/// <summary>OAuth apps, codes and tokens; the tables are part of the identity schema.</summary>
public sealed class SqlOAuthStore(IDatabase database) : IOAuthStore, IExpiringStore
{
    /// <summary>
    /// How long an expired access token stored before its refresh token was linked to it is kept: the
    /// default refresh-token lifetime, after which its refresh token has expired too (unless the lifetime was
    /// raised), so no client can still refresh after an expired_token answer.
    /// </summary>
    public static readonly TimeSpan UnpairedAccessRetention = TimeSpan.FromDays(180);

    internal const string AppColumns = """
        a.id AS app_id, a.portal_id AS app_portal_id, a.client_id AS app_client_id, a.name AS app_name, a.scopes AS app_scopes, a.redirect_uri AS app_redirect_uri,
        a.code AS app_code, a.version AS app_version, a.active AS app_active, a.secret_hash AS app_secret_hash, a.signing_key AS app_signing_key
        """;

    private static readonly ColumnOrdinals<AppOrdinals> AppRows = new(AppOrdinals.Of);
    private static readonly ColumnOrdinals<OwnerOrdinals> OwnerRows = new(r => new(PortalOrdinals.Of(r), UserOrdinals.Of(r), AppOrdinals.Of(r)));
    private static readonly ColumnOrdinals<TokenGrantOrdinals> TokenGrantRows = new(r => new(
        r.GetOrdinal("token_scopes"), r.GetOrdinal("token_expires_at"), r.GetOrdinal("host_portal_id"), r.GetOrdinal("user_allowed"), new(PortalOrdinals.Of(r), UserOrdinals.Of(r), AppOrdinals.Of(r))));
    private static readonly ColumnOrdinals<SpentCodeOrdinals> SpentCodeRows = new(r => new(r.GetOrdinal("app_id"), r.GetOrdinal("portal_id"), r.GetOrdinal("user_id"), r.GetOrdinal("expires_at")));
    private static readonly ColumnOrdinals<SpentTokenOrdinals> SpentTokenRows = new(r => new(r.GetOrdinal("portal_id"), r.GetOrdinal("user_id"), r.GetOrdinal("scopes")));

    private sealed record OwnerOrdinals(PortalOrdinals Portal, UserOrdinals User, AppOrdinals App);

    private sealed record TokenGrantOrdinals(int Scopes, int ExpiresAt, int HostPortal, int UserAllowed, OwnerOrdinals Owner);

    private sealed record SpentCodeOrdinals(int AppId, int PortalId, int UserId, int ExpiresAt);

    private sealed record SpentTokenOrdinals(int PortalId, int UserId, int Scopes);

    public Task<OAuthApp> AddAppAsync(long portalId, string clientId, byte[] secretHash, string name, IReadOnlyCollection<string> scopes, string redirectUri, string code, string? signingKey = null, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        var id = Convert.ToInt64(await session.ScalarAsync("""
            INSERT INTO oauth_apps (portal_id, client_id, secret_hash, name, scopes, redirect_uri, code, signing_key)
            VALUES (@portal, @client, @hash, @name, @scopes, @redirect, @code, @key) RETURNING id
            """, ("@portal", portalId), ("@client", clientId), ("@hash", secretHash), ("@name", name), ("@scopes", string.Join(',', scopes)), ("@redirect", redirectUri), ("@code", code), ("@key", signingKey)));
        return new OAuthApp(id, portalId, clientId, name, scopes.ToHashSet(StringComparer.Ordinal), redirectUri, code, 1, true, secretHash, signingKey);
    });

    public Task<OAuthApp?> FindAppAsync(string clientId, CancellationToken cancellationToken = default) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {AppColumns} FROM oauth_apps a WHERE a.client_id = @client", ("@client", clientId));
        return await reader.ReadAsync(session.Cancellation) ? AppRows.Of(reader).Read(reader) : null;
    }, cancellationToken);

    public Task SetAppUsersAsync(long appId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        await session.ExecuteAsync("DELETE FROM oauth_app_users WHERE app_id = @app", ("@app", appId));
        foreach (var userId in userIds.Distinct())
        {
            await session.ExecuteAsync("INSERT INTO oauth_app_users (app_id, user_id) VALUES (@app, @user)", ("@app", appId), ("@user", userId));
        }
    });

    public Task<IReadOnlyList<long>> ListAppUsersAsync(long appId, CancellationToken cancellationToken = default) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync("SELECT user_id FROM oauth_app_users WHERE app_id = @app ORDER BY user_id", ("@app", appId));
        var users = new List<long>();
        var user = reader.GetOrdinal("user_id");
        while (await reader.ReadAsync(session.Cancellation)) users.Add(reader.GetInt64(user));
        return (IReadOnlyList<long>)users;
    }, cancellationToken);

    public Task SaveCodeAsync(byte[] codeHash, long appId, long portalId, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        await session.ExecuteAsync("INSERT INTO oauth_codes (code_hash, app_id, portal_id, user_id, expires_at) VALUES (@hash, @app, @portal, @user, @expires)",
            ("@hash", codeHash), ("@app", appId), ("@portal", portalId), ("@user", userId), ("@expires", StoredTime.From(expiresAt)));
    });

    public Task<GrantOwner?> ExchangeCodeAsync(byte[] codeHash, long appId, DateTimeOffset now, NewTokens tokens, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        long portalId, userId;
        await using (var reader = await session.ReaderAsync("DELETE FROM oauth_codes WHERE code_hash = @hash RETURNING app_id, portal_id, user_id, expires_at", ("@hash", codeHash)))
        {
            // A code is gone once tried, right or wrong app, so it cannot be guessed at twice.
            if (!await reader.ReadAsync(session.Cancellation)) return null;
            var at = SpentCodeRows.Of(reader);
            if (reader.GetInt64(at.AppId) != appId || reader.GetInt64(at.ExpiresAt) <= StoredTime.From(now)) return null;
            portalId = reader.GetInt64(at.PortalId);
            userId = reader.GetInt64(at.UserId);
        }
        var owner = await ReadOwnerAsync(session, appId, portalId, userId, scopes: null);
        if (owner is null) return null;
        await InsertAsync(session, appId, portalId, userId, owner.Scopes, tokens);
        return owner;
    });

    public Task SaveTokensAsync(long appId, long portalId, long userId, IReadOnlyCollection<string> scopes, NewTokens tokens, CancellationToken cancellationToken = default) =>
        database.WriteAsync(session => InsertAsync(session, appId, portalId, userId, scopes, tokens));

    public Task<GrantOwner?> RotateRefreshTokenAsync(byte[] refreshHash, long appId, DateTimeOffset now, NewTokens tokens, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        long portalId, userId;
        IReadOnlySet<string> scopes;
        await using (var reader = await session.ReaderAsync("""
            DELETE FROM oauth_tokens WHERE token_hash = @hash AND kind = 'refresh' AND app_id = @app AND expires_at > @now
            RETURNING portal_id, user_id, scopes
            """, ("@hash", refreshHash), ("@app", appId), ("@now", StoredTime.From(now))))
        {
            if (!await reader.ReadAsync(session.Cancellation)) return null;
            var at = SpentTokenRows.Of(reader);
            portalId = reader.GetInt64(at.PortalId);
            userId = reader.GetInt64(at.UserId);
            scopes = ReadScopes(reader, at.Scopes);
        }
        var owner = await ReadOwnerAsync(session, appId, portalId, userId, scopes);
        if (owner is null) return null;
        await InsertAsync(session, appId, portalId, userId, scopes, tokens);
        return owner;
    });

    /// <summary>The app's user limit is read in the same statement (and cached with it), so it costs no round trip.</summary>
    public Task<TokenGrant?> FindAccessTokenAsync(byte[] accessHash, string host, CancellationToken cancellationToken = default) => database.ReadAsync(reader => reader.CachedAsync(SqlIdentityStore.Tables, "token:" + Convert.ToHexString(accessHash) + "@" + host, async session =>
    {
        await using var reader = await session.ReaderAsync($"""
            SELECT t.scopes AS token_scopes, t.expires_at AS token_expires_at, {PortalColumns}, {UserColumns}, {AppColumns}, {HostPortalColumn},
                CASE WHEN EXISTS (SELECT 1 FROM oauth_app_users r WHERE r.app_id = t.app_id)
                      AND NOT EXISTS (SELECT 1 FROM oauth_app_users r WHERE r.app_id = t.app_id AND r.user_id = t.user_id) THEN 0 ELSE 1 END AS user_allowed
            FROM oauth_tokens t
            JOIN portals p ON p.id = t.portal_id
            JOIN users u ON u.portal_id = t.portal_id AND u.id = t.user_id
            JOIN oauth_apps a ON a.id = t.app_id
            WHERE t.token_hash = @hash AND t.kind = 'access'
            """, ("@hash", accessHash), ("@host", host));
        if (!await reader.ReadAsync(session.Cancellation)) return null;
        var at = TokenGrantRows.Of(reader);
        var portal = at.Owner.Portal.Read(reader);
        return (TokenGrant?)new TokenGrant(portal, at.Owner.User.Read(reader, portal.Id), at.Owner.App.Read(reader), ReadScopes(reader, at.Scopes), StoredTime.ToTime(reader.GetInt64(at.ExpiresAt)),
            reader.IsDBNull(at.HostPortal) ? null : reader.GetInt64(at.HostPortal), Convert.ToInt64(reader.GetValue(at.UserAllowed)) == 1);
    }), cancellationToken);

    private static async ValueTask<GrantOwner?> ReadOwnerAsync(IDbSession session, long appId, long portalId, long userId, IReadOnlySet<string>? scopes)
    {
        await using var reader = await session.ReaderAsync($"""
            SELECT {PortalColumns}, {UserColumns}, {AppColumns}
            FROM oauth_apps a JOIN portals p ON p.id = a.portal_id JOIN users u ON u.portal_id = p.id AND u.id = @user
            WHERE a.id = @app AND a.portal_id = @portal
            """, ("@app", appId), ("@portal", portalId), ("@user", userId));
        if (!await reader.ReadAsync(session.Cancellation)) return null;
        var at = OwnerRows.Of(reader);
        var portal = at.Portal.Read(reader);
        var app = at.App.Read(reader);
        return new GrantOwner(portal, at.User.Read(reader, portal.Id), app, scopes ?? app.Scopes);
    }

    private static async ValueTask InsertAsync(IDbSession session, long appId, long portalId, long userId, IReadOnlyCollection<string> scopes, NewTokens tokens)
    {
        foreach (var (kind, hash, expires, pair) in new[] { ("access", tokens.AccessHash, tokens.AccessExpiresAt, tokens.RefreshHash), ("refresh", tokens.RefreshHash, tokens.RefreshExpiresAt, null) })
        {
            await session.ExecuteAsync("""
                INSERT INTO oauth_tokens (token_hash, kind, app_id, portal_id, user_id, scopes, expires_at, pair_hash)
                VALUES (@hash, @kind, @app, @portal, @user, @scopes, @expires, @pair)
                """, ("@hash", hash), ("@kind", kind), ("@app", appId), ("@portal", portalId), ("@user", userId), ("@scopes", string.Join(',', scopes)), ("@expires", StoredTime.From(expires)), ("@pair", pair));
        }
    }

    /// <summary>
    /// Deletes expired codes, expired refresh tokens, and expired access tokens whose refresh token is gone
    /// (spent by a refresh, or expired and swept): while it lives, the access token is kept so that a client
    /// coming back late is told expired_token, and refreshes, rather than invalid_token. At most
    /// <paramref name="limit"/> rows, in one short transaction.
    /// </summary>
    public Task<int> SweepExpiredAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        var at = StoredTime.From(cutoff);
        // Statements by primary key, so they read the same on both dialects.
        var removed = await session.ExecuteAsync("""
            DELETE FROM oauth_codes WHERE code_hash IN (SELECT code_hash FROM oauth_codes WHERE expires_at <= @cutoff LIMIT @limit)
            """, ("@cutoff", at), ("@limit", limit));
        if (removed >= limit) return removed;
        removed += await session.ExecuteAsync("""
            DELETE FROM oauth_tokens WHERE token_hash IN (
                SELECT t.token_hash FROM oauth_tokens t
                WHERE t.expires_at <= @cutoff
                  AND (t.kind = 'refresh'
                    OR (t.pair_hash IS NULL AND t.expires_at <= @unpaired)
                    OR (t.pair_hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM oauth_tokens r WHERE r.token_hash = t.pair_hash)))
                LIMIT @limit)
            """, ("@cutoff", at), ("@unpaired", StoredTime.From(cutoff - UnpairedAccessRetention)), ("@limit", limit - removed));
        return removed;
    });
}
