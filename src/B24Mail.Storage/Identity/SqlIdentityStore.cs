using B24Mail.Rest.Identity;
using System.Data.Common;

namespace B24Mail.Storage.Identity;

/// <summary>Portals, users and webhooks on either dialect. Times are stored as Unix seconds and read through <paramref name="time"/>.</summary>
public sealed class SqlIdentityStore(IDatabase database, TimeProvider time) : IIdentityStore
{
    /// <summary>
    /// Portals, users, webhooks and OAuth as one group of tables for the read caches. Their writes name no group,
    /// so each may change anything a cached read depends on: they are rare, and safe that way.
    /// </summary>
    public const string Tables = "identity";

    private static readonly string[] SqliteMigrations =
    [
        """
        CREATE TABLE portals (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            code TEXT NOT NULL UNIQUE,
            member_id TEXT NOT NULL UNIQUE,
            domain TEXT NOT NULL,
            site_id TEXT NOT NULL
        );
        CREATE TABLE users (
            portal_id INTEGER NOT NULL REFERENCES portals(id),
            id INTEGER NOT NULL,
            name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            email TEXT NOT NULL,
            is_admin INTEGER NOT NULL,
            is_active INTEGER NOT NULL,
            PRIMARY KEY (portal_id, id)
        );
        CREATE TABLE webhooks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            portal_id INTEGER NOT NULL REFERENCES portals(id),
            user_id INTEGER NOT NULL,
            secret_hash BLOB NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            title TEXT NOT NULL,
            active INTEGER NOT NULL,
            expires_at INTEGER NULL,
            created_at INTEGER NOT NULL,
            FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id)
        );
        """,
        """
        CREATE INDEX portals_domain ON portals (domain);
        CREATE TABLE oauth_apps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            portal_id INTEGER NOT NULL REFERENCES portals(id),
            client_id TEXT NOT NULL UNIQUE,
            secret_hash BLOB NOT NULL,
            name TEXT NOT NULL,
            scopes TEXT NOT NULL,
            redirect_uri TEXT NOT NULL,
            code TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE oauth_codes (
            code_hash BLOB PRIMARY KEY,
            app_id INTEGER NOT NULL REFERENCES oauth_apps(id),
            portal_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE TABLE oauth_tokens (
            token_hash BLOB PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
            app_id INTEGER NOT NULL REFERENCES oauth_apps(id),
            portal_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            scopes TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);
        """,
        """
        ALTER TABLE portals ADD COLUMN rate_enabled INTEGER NULL;
        ALTER TABLE portals ADD COLUMN rate_burst REAL NULL;
        ALTER TABLE portals ADD COLUMN rate_per_second REAL NULL;
        """,
        """
        DROP INDEX portals_domain;
        CREATE INDEX portals_domain ON portals (domain COLLATE NOCASE);
        """,
        """
        DROP INDEX portals_domain;
        CREATE INDEX portals_domain ON portals (lower(domain));
        """,
        LicenceAndTimes,
        // An access token names the refresh token issued with it: the sweep keeps an expired access token
        // (and its expired_token answer, on which clients refresh) while that refresh token lives.
        "ALTER TABLE oauth_tokens ADD COLUMN pair_hash BLOB NULL;",
        PortalStatesAndAppUsers,
    ];

    /// <summary>Licence and language per portal (docs/decisions.md #24), the user times of #28, the key that signs secure calls (#26).</summary>
    private const string LicenceAndTimes = """
        ALTER TABLE portals ADD COLUMN license_type TEXT NOT NULL DEFAULT 'pro';
        ALTER TABLE portals ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
        ALTER TABLE users ADD COLUMN registered_at BIGINT NULL;
        ALTER TABLE users ADD COLUMN last_login_at BIGINT NULL;
        ALTER TABLE oauth_apps ADD COLUMN signing_key TEXT NULL;
        """;

    /// <summary>
    /// A portal's state and the users an app is limited to (docs/decisions.md #31). An app with no rows here is
    /// open to every user of its portal, as an app is when installed.
    /// </summary>
    private const string PortalStatesAndAppUsers = """
        ALTER TABLE portals ADD COLUMN state TEXT NOT NULL DEFAULT 'active';
        CREATE TABLE oauth_app_users (
            app_id BIGINT NOT NULL REFERENCES oauth_apps(id),
            user_id BIGINT NOT NULL,
            PRIMARY KEY (app_id, user_id)
        );
        """;

    private static readonly string[] PostgresMigrations =
    [
        """
        CREATE TABLE portals (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            member_id TEXT NOT NULL UNIQUE,
            domain TEXT NOT NULL,
            site_id TEXT NOT NULL,
            rate_enabled BOOLEAN NULL,
            rate_burst DOUBLE PRECISION NULL,
            rate_per_second DOUBLE PRECISION NULL
        );
        CREATE INDEX portals_domain ON portals (lower(domain));
        CREATE TABLE users (
            portal_id BIGINT NOT NULL REFERENCES portals(id),
            id BIGINT NOT NULL,
            name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            email TEXT NOT NULL,
            is_admin BOOLEAN NOT NULL,
            is_active BOOLEAN NOT NULL,
            PRIMARY KEY (portal_id, id)
        );
        CREATE TABLE webhooks (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            portal_id BIGINT NOT NULL REFERENCES portals(id),
            user_id BIGINT NOT NULL,
            secret_hash BYTEA NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            title TEXT NOT NULL,
            active BOOLEAN NOT NULL,
            expires_at BIGINT NULL,
            created_at BIGINT NOT NULL,
            FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id)
        );
        CREATE TABLE oauth_apps (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            portal_id BIGINT NOT NULL REFERENCES portals(id),
            client_id TEXT NOT NULL UNIQUE,
            secret_hash BYTEA NOT NULL,
            name TEXT NOT NULL,
            scopes TEXT NOT NULL,
            redirect_uri TEXT NOT NULL,
            code TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            active BOOLEAN NOT NULL DEFAULT TRUE
        );
        CREATE TABLE oauth_codes (
            code_hash BYTEA PRIMARY KEY,
            app_id BIGINT NOT NULL REFERENCES oauth_apps(id),
            portal_id BIGINT NOT NULL,
            user_id BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE TABLE oauth_tokens (
            token_hash BYTEA PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
            app_id BIGINT NOT NULL REFERENCES oauth_apps(id),
            portal_id BIGINT NOT NULL,
            user_id BIGINT NOT NULL,
            scopes TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);
        """,
        LicenceAndTimes,
        // An access token names the refresh token issued with it: the sweep keeps an expired access token
        // (and its expired_token answer, on which clients refresh) while that refresh token lives.
        "ALTER TABLE oauth_tokens ADD COLUMN pair_hash BYTEA NULL;",
        PortalStatesAndAppUsers,
    ];

    internal const string PortalColumns = "p.id, p.code, p.member_id, p.domain, p.site_id, p.rate_enabled, p.rate_burst, p.rate_per_second, p.license_type, p.language, p.state";
    internal const int PortalWidth = 11;
    internal const string UserColumns = "u.id, u.name, u.last_name, u.email, u.is_admin, u.is_active, u.registered_at, u.last_login_at";
    internal const int UserWidth = 8;

    public Task MigrateAsync() => Schema.MigrateAsync(database, "identity", database.Dialect == SqlDialect.Postgres ? PostgresMigrations : SqliteMigrations);

    public Task<Portal?> FindPortalAsync(string code, CancellationToken cancellationToken = default) =>
        ReadPortalAsync("WHERE p.code = @v", code, cancellationToken);

    public Task<Portal?> FindPortalByIdAsync(long id, CancellationToken cancellationToken = default) =>
        ReadPortalAsync("WHERE p.id = @v", id, cancellationToken);

    public Task<Portal?> FindPortalByDomainAsync(string domain, CancellationToken cancellationToken = default) =>
        ReadPortalAsync("WHERE lower(p.domain) = lower(@v)", domain, cancellationToken);

    private Task<Portal?> ReadPortalAsync(string where, object value, CancellationToken cancellationToken) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {PortalColumns} FROM portals p {where} ORDER BY p.id LIMIT 1", ("@v", value));
        return await reader.ReadAsync(session.Cancellation) ? ReadPortal(reader, 0) : null;
    }, cancellationToken);

    public Task<IReadOnlyList<Portal>> ListPortalsAsync(CancellationToken cancellationToken = default) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {PortalColumns} FROM portals p ORDER BY p.id");
        var portals = new List<Portal>();
        while (await reader.ReadAsync(session.Cancellation)) portals.Add(ReadPortal(reader, 0));
        return (IReadOnlyList<Portal>)portals;
    }, cancellationToken);

    public Task<Portal> AddPortalAsync(string code, string memberId, string domain, string siteId, string adminName, string adminEmail, string licenseType = Licence.DefaultType, string language = Licence.DefaultLanguage, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        var id = Convert.ToInt64(await session.ScalarAsync("INSERT INTO portals (code, member_id, domain, site_id, license_type, language) VALUES (@code, @member, @domain, @site, @license, @language) RETURNING id",
            ("@code", code), ("@member", memberId), ("@domain", domain), ("@site", siteId), ("@license", licenseType), ("@language", language)));
        // The administrator is made in the same transaction: a portal never exists without user 1.
        await session.ExecuteAsync("INSERT INTO users (portal_id, id, name, last_name, email, is_admin, is_active, registered_at) VALUES (@portal, 1, @name, '', @email, TRUE, TRUE, @now)",
            ("@portal", id), ("@name", adminName), ("@email", adminEmail), ("@now", time.GetUtcNow().ToUnixTimeSeconds()));
        return new Portal(id, code, memberId, domain, siteId, null, licenseType, language);
    });

    public Task<bool> SetPortalLicenseAsync(long portalId, string licenseType, string language, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        return await session.ExecuteAsync("UPDATE portals SET license_type = @license, language = @language WHERE id = @id",
            ("@id", portalId), ("@license", licenseType), ("@language", language)) > 0;
    });

    public Task<bool> SetPortalRateLimitAsync(long portalId, Rest.Limits.RateLimit? limit, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        return await session.ExecuteAsync("UPDATE portals SET rate_enabled = @enabled, rate_burst = @burst, rate_per_second = @rate WHERE id = @id",
            ("@id", portalId), ("@enabled", limit?.Enabled), ("@burst", limit?.Burst), ("@rate", limit?.PerSecond)) > 0;
    });

    public Task<bool> SetPortalStateAsync(long portalId, PortalState state, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        return await session.ExecuteAsync("UPDATE portals SET state = @state WHERE id = @id", ("@id", portalId), ("@state", PortalStates.Text(state))) > 0;
    });

    public Task<PortalUser> AddUserAsync(long portalId, string name, string lastName, string email, bool isAdmin, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        // User IDs count from 1 in each portal, as on real portals; the lock makes MAX+1 safe across nodes.
        await session.LockAsync(LockKeys.PortalUsers(portalId));
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var id = Convert.ToInt64(await session.ScalarAsync("""
            INSERT INTO users (portal_id, id, name, last_name, email, is_admin, is_active, registered_at)
            VALUES (@portal, (SELECT COALESCE(MAX(id), 0) + 1 FROM users WHERE portal_id = @portal), @name, @last, @email, @admin, TRUE, @now)
            RETURNING id
            """, ("@portal", portalId), ("@name", name), ("@last", lastName), ("@email", email), ("@admin", isAdmin), ("@now", now.ToUnixTimeSeconds())));
        return new PortalUser(portalId, id, name, lastName, email, isAdmin, true, now);
    });

    public Task<PortalUser?> FindUserAsync(long portalId, long userId, CancellationToken cancellationToken = default) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {UserColumns} FROM users u WHERE u.portal_id = @portal AND u.id = @id", ("@portal", portalId), ("@id", userId));
        return await reader.ReadAsync(session.Cancellation) ? ReadUser(reader, 0, portalId) : null;
    }, cancellationToken);

    public Task<IReadOnlyList<PortalUser>> FindUsersAsync(long portalId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default)
    {
        if (userIds.Count == 0) return Task.FromResult<IReadOnlyList<PortalUser>>([]);
        return database.ReadAsync(async session =>
        {
            // One parameter per ID: the same statement text on both dialects, and callers cap the count.
            var parameters = userIds.Select((id, i) => ($"@u{i}", (object?)id)).Prepend(("@portal", portalId)).ToArray();
            var list = string.Join(", ", parameters.Skip(1).Select(p => p.Item1));
            await using var reader = await session.ReaderAsync($"SELECT {UserColumns} FROM users u WHERE u.portal_id = @portal AND u.id IN ({list}) ORDER BY u.id", parameters);
            var users = new List<PortalUser>();
            while (await reader.ReadAsync(session.Cancellation)) users.Add(ReadUser(reader, 0, portalId));
            return (IReadOnlyList<PortalUser>)users;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<PortalUser>> ListUsersAsync(long portalId, CancellationToken cancellationToken = default) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {UserColumns} FROM users u WHERE u.portal_id = @portal ORDER BY u.id", ("@portal", portalId));
        var users = new List<PortalUser>();
        while (await reader.ReadAsync(session.Cancellation)) users.Add(ReadUser(reader, 0, portalId));
        return (IReadOnlyList<PortalUser>)users;
    }, cancellationToken);

    public Task<bool> SetUserActiveAsync(long portalId, long userId, bool active, CancellationToken cancellationToken = default) =>
        ChangeRowAsync("UPDATE users SET is_active = @v WHERE portal_id = @portal AND id = @id", portalId, userId, active);

    public Task<bool> RecordLoginAsync(long portalId, long userId, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        return await session.ExecuteAsync("UPDATE users SET last_login_at = @now WHERE portal_id = @portal AND id = @id",
            ("@portal", portalId), ("@id", userId), ("@now", time.GetUtcNow().ToUnixTimeSeconds())) > 0;
    });

    /// <summary>The portal whose domain a request was sent to, as a column of the credential's own query.</summary>
    internal const string HostPortalColumn = "(SELECT hp.id FROM portals hp WHERE lower(hp.domain) = lower(@host) ORDER BY hp.id LIMIT 1)";

    public Task<WebhookGrant?> FindWebhookAsync(byte[] secretHash, string host, CancellationToken cancellationToken = default) => database.ReadAsync(reader => reader.CachedAsync(Tables, "webhook:" + Convert.ToHexString(secretHash) + "@" + host, async session =>
    {
        await using var reader = await session.ReaderAsync($"""
            SELECT w.id, w.scopes, w.active, w.expires_at, w.secret_hash, {HostPortalColumn}, {PortalColumns}, {UserColumns}
            FROM webhooks w
            JOIN portals p ON p.id = w.portal_id
            JOIN users u ON u.portal_id = w.portal_id AND u.id = w.user_id
            WHERE w.secret_hash = @hash
            """, ("@hash", secretHash), ("@host", host));
        if (!await reader.ReadAsync(session.Cancellation)) return null;
        var portal = ReadPortal(reader, 6);
        return (WebhookGrant?)new WebhookGrant(reader.GetInt64(0), portal, ReadUser(reader, 6 + PortalWidth, portal.Id), ReadScopes(reader, 1), reader.GetBoolean(2), ReadTime(reader, 3), (byte[])reader.GetValue(4),
            reader.IsDBNull(5) ? null : reader.GetInt64(5));
    }), cancellationToken);

    public Task<long> AddWebhookAsync(long portalId, long userId, byte[] secretHash, IReadOnlyCollection<string> scopes, string title, DateTimeOffset createdAt, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        return Convert.ToInt64(await session.ScalarAsync("""
            INSERT INTO webhooks (portal_id, user_id, secret_hash, scopes, title, active, expires_at, created_at)
            VALUES (@portal, @user, @hash, @scopes, @title, TRUE, @expires, @created)
            RETURNING id
            """, ("@portal", portalId), ("@user", userId), ("@hash", secretHash), ("@scopes", string.Join(',', scopes)), ("@title", title),
            ("@expires", expiresAt?.ToUnixTimeSeconds()), ("@created", createdAt.ToUnixTimeSeconds())));
    });

    public Task<IReadOnlyList<WebhookInfo>> ListWebhooksAsync(long portalId, CancellationToken cancellationToken = default) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync("SELECT id, user_id, scopes, title, active, expires_at, created_at FROM webhooks WHERE portal_id = @portal ORDER BY id", ("@portal", portalId));
        var hooks = new List<WebhookInfo>();
        while (await reader.ReadAsync(session.Cancellation))
        {
            hooks.Add(new WebhookInfo(reader.GetInt64(0), reader.GetInt64(1), ReadScopes(reader, 2), reader.GetString(3), reader.GetBoolean(4), ReadTime(reader, 5), ReadTime(reader, 6)!.Value));
        }
        return (IReadOnlyList<WebhookInfo>)hooks;
    }, cancellationToken);

    public Task<bool> SetWebhookActiveAsync(long portalId, long webhookId, bool active, CancellationToken cancellationToken = default) =>
        ChangeRowAsync("UPDATE webhooks SET active = @v WHERE portal_id = @portal AND id = @id", portalId, webhookId, active);

    public Task<bool> RemoveWebhookAsync(long portalId, long webhookId, CancellationToken cancellationToken = default) =>
        ChangeRowAsync("DELETE FROM webhooks WHERE portal_id = @portal AND id = @id", portalId, webhookId);

    /// <summary>
    /// Runs one statement (UPDATE or DELETE) on the row <c>@portal</c>, <c>@id</c>; true when it touched a row.
    /// <c>@v</c> is bound only when given, so a statement names only the parameters it uses.
    /// </summary>
    private Task<bool> ChangeRowAsync(string sql, long portalId, long id, bool? value = null) => database.WriteAsync(async session =>
    {
        var changed = value is { } v
            ? await session.ExecuteAsync(sql, ("@portal", portalId), ("@id", id), ("@v", v))
            : await session.ExecuteAsync(sql, ("@portal", portalId), ("@id", id));
        return changed > 0;
    });

    internal static Portal ReadPortal(DbDataReader r, int at) => new(r.GetInt64(at), r.GetString(at + 1), r.GetString(at + 2), r.GetString(at + 3), r.GetString(at + 4),
        r.IsDBNull(at + 5) ? null : new Rest.Limits.RateLimit(r.GetBoolean(at + 5), r.GetDouble(at + 6), r.GetDouble(at + 7)),
        r.GetString(at + 8), r.GetString(at + 9), PortalStates.Parse(r.GetString(at + 10)));

    internal static PortalUser ReadUser(DbDataReader r, int at, long portalId) =>
        new(portalId, r.GetInt64(at), r.GetString(at + 1), r.GetString(at + 2), r.GetString(at + 3), r.GetBoolean(at + 4), r.GetBoolean(at + 5), ReadTime(r, at + 6), ReadTime(r, at + 7));

    internal static IReadOnlySet<string> ReadScopes(DbDataReader r, int at) => r.GetString(at).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    internal static DateTimeOffset? ReadTime(DbDataReader r, int at) => r.IsDBNull(at) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(at));
}
