using B24Mail.Rest.Identity;
using Microsoft.Data.Sqlite;

namespace B24Mail.Storage.Sqlite;

public sealed class SqliteIdentityStore(SqliteDatabase database) : IIdentityStore
{
    internal static readonly string[] Migrations =
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
    ];

    internal const string PortalColumns = "p.id, p.code, p.member_id, p.domain, p.site_id, p.rate_enabled, p.rate_burst, p.rate_per_second";
    internal const int PortalWidth = 8;
    internal const string UserColumns = "u.id, u.name, u.last_name, u.email, u.is_admin, u.is_active";
    internal const int UserWidth = 6;

    public Task MigrateAsync() => SqliteSchema.MigrateAsync(database, "identity", Migrations);

    public Task<Portal?> FindPortalAsync(string code, CancellationToken cancellationToken = default) =>
        ReadPortalAsync("WHERE p.code = $v", code, cancellationToken);

    public Task<Portal?> FindPortalByDomainAsync(string domain, CancellationToken cancellationToken = default) =>
        ReadPortalAsync("WHERE p.domain = $v COLLATE NOCASE", domain, cancellationToken);

    private Task<Portal?> ReadPortalAsync(string where, string value, CancellationToken cancellationToken) => database.ReadAsync(session =>
    {
        var command = session.Command($"SELECT {PortalColumns} FROM portals p {where} ORDER BY p.id LIMIT 1", ("$v", value));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadPortal(reader, 0) : null;
    }, cancellationToken);

    public Task<IReadOnlyList<Portal>> ListPortalsAsync(CancellationToken cancellationToken = default) => database.ReadAsync(session =>
    {
        var command = session.Command($"SELECT {PortalColumns} FROM portals p ORDER BY p.id");
        using var reader = command.ExecuteReader();
        var portals = new List<Portal>();
        while (reader.Read()) portals.Add(ReadPortal(reader, 0));
        return (IReadOnlyList<Portal>)portals;
    }, cancellationToken);

    public Task<Portal> AddPortalAsync(string code, string memberId, string domain, string siteId, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        var command = session.Command("INSERT INTO portals (code, member_id, domain, site_id) VALUES ($code, $member, $domain, $site) RETURNING id",
            ("$code", code), ("$member", memberId), ("$domain", domain), ("$site", siteId));
        var id = Convert.ToInt64(command.ExecuteScalar());
        return new Portal(id, code, memberId, domain, siteId);
    });

    public Task<bool> SetPortalRateLimitAsync(long portalId, Rest.Limits.RateLimit? limit, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        var command = session.Command("UPDATE portals SET rate_enabled = $enabled, rate_burst = $burst, rate_per_second = $rate WHERE id = $id",
            ("$id", portalId), ("$enabled", limit?.Enabled), ("$burst", limit?.Burst), ("$rate", limit?.PerSecond));
        return command.ExecuteNonQuery() > 0;
    });

    public Task<PortalUser> AddUserAsync(long portalId, string name, string lastName, string email, bool isAdmin, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        // User IDs count from 1 in each portal, as on real portals; the write lock makes MAX+1 safe.
        var command = session.Command("""
            INSERT INTO users (portal_id, id, name, last_name, email, is_admin, is_active)
            VALUES ($portal, (SELECT COALESCE(MAX(id), 0) + 1 FROM users WHERE portal_id = $portal), $name, $last, $email, $admin, 1)
            RETURNING id
            """, ("$portal", portalId), ("$name", name), ("$last", lastName), ("$email", email), ("$admin", isAdmin));
        var id = Convert.ToInt64(command.ExecuteScalar());
        return new PortalUser(portalId, id, name, lastName, email, isAdmin, true);
    });

    public Task<PortalUser?> FindUserAsync(long portalId, long userId, CancellationToken cancellationToken = default) => database.ReadAsync(session =>
    {
        var command = session.Command($"SELECT {UserColumns} FROM users u WHERE u.portal_id = $portal AND u.id = $id", ("$portal", portalId), ("$id", userId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadUser(reader, 0, portalId) : null;
    }, cancellationToken);

    public Task<IReadOnlyList<PortalUser>> ListUsersAsync(long portalId, CancellationToken cancellationToken = default) => database.ReadAsync(session =>
    {
        var command = session.Command($"SELECT {UserColumns} FROM users u WHERE u.portal_id = $portal ORDER BY u.id", ("$portal", portalId));
        using var reader = command.ExecuteReader();
        var users = new List<PortalUser>();
        while (reader.Read()) users.Add(ReadUser(reader, 0, portalId));
        return (IReadOnlyList<PortalUser>)users;
    }, cancellationToken);

    public Task<bool> SetUserActiveAsync(long portalId, long userId, bool active, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE users SET is_active = $v WHERE portal_id = $portal AND id = $id", portalId, userId, active);

    /// <summary>The portal whose domain a request was sent to, as a column of the credential's own query.</summary>
    internal const string HostPortalColumn = "(SELECT hp.id FROM portals hp WHERE hp.domain = $host COLLATE NOCASE ORDER BY hp.id LIMIT 1)";

    public Task<WebhookGrant?> FindWebhookAsync(byte[] secretHash, string host, CancellationToken cancellationToken = default) => database.ReadAsync(reader => reader.Cached("webhook:" + Convert.ToHexString(secretHash) + "@" + host, session =>
    {
        var command = session.Command($"""
            SELECT w.id, w.scopes, w.active, w.expires_at, w.secret_hash, {HostPortalColumn}, {PortalColumns}, {UserColumns}
            FROM webhooks w
            JOIN portals p ON p.id = w.portal_id
            JOIN users u ON u.portal_id = w.portal_id AND u.id = w.user_id
            WHERE w.secret_hash = $hash
            """, ("$hash", secretHash), ("$host", host));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var portal = ReadPortal(reader, 6);
        return (WebhookGrant?)new WebhookGrant(reader.GetInt64(0), portal, ReadUser(reader, 6 + PortalWidth, portal.Id), ReadScopes(reader, 1), reader.GetBoolean(2), ReadTime(reader, 3), (byte[])reader.GetValue(4),
            reader.IsDBNull(5) ? null : reader.GetInt64(5));
    }), cancellationToken);

    public Task<long> AddWebhookAsync(long portalId, long userId, byte[] secretHash, IReadOnlyCollection<string> scopes, string title, DateTimeOffset createdAt, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        var command = session.Command("""
            INSERT INTO webhooks (portal_id, user_id, secret_hash, scopes, title, active, expires_at, created_at)
            VALUES ($portal, $user, $hash, $scopes, $title, 1, $expires, $created)
            RETURNING id
            """, ("$portal", portalId), ("$user", userId), ("$hash", secretHash), ("$scopes", string.Join(',', scopes)), ("$title", title),
            ("$expires", expiresAt?.ToUnixTimeSeconds()), ("$created", createdAt.ToUnixTimeSeconds()));
        return Convert.ToInt64(command.ExecuteScalar());
    });

    public Task<IReadOnlyList<WebhookInfo>> ListWebhooksAsync(long portalId, CancellationToken cancellationToken = default) => database.ReadAsync(session =>
    {
        var command = session.Command("SELECT id, user_id, scopes, title, active, expires_at, created_at FROM webhooks WHERE portal_id = $portal ORDER BY id", ("$portal", portalId));
        using var reader = command.ExecuteReader();
        var hooks = new List<WebhookInfo>();
        while (reader.Read())
        {
            hooks.Add(new WebhookInfo(reader.GetInt64(0), reader.GetInt64(1), ReadScopes(reader, 2), reader.GetString(3), reader.GetBoolean(4), ReadTime(reader, 5), ReadTime(reader, 6)!.Value));
        }
        return (IReadOnlyList<WebhookInfo>)hooks;
    }, cancellationToken);

    public Task<bool> SetWebhookActiveAsync(long portalId, long webhookId, bool active, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE webhooks SET active = $v WHERE portal_id = $portal AND id = $id", portalId, webhookId, active);

    public Task<bool> RemoveWebhookAsync(long portalId, long webhookId, CancellationToken cancellationToken = default) =>
        UpdateAsync("DELETE FROM webhooks WHERE portal_id = $portal AND id = $id AND $v", portalId, webhookId, true);

    private Task<bool> UpdateAsync(string sql, long portalId, long id, bool value) => database.WriteAsync(session =>
    {
        var command = session.Command(sql, ("$portal", portalId), ("$id", id), ("$v", value));
        return command.ExecuteNonQuery() > 0;
    });

    internal static Portal ReadPortal(SqliteDataReader r, int at) => new(r.GetInt64(at), r.GetString(at + 1), r.GetString(at + 2), r.GetString(at + 3), r.GetString(at + 4),
        r.IsDBNull(at + 5) ? null : new Rest.Limits.RateLimit(r.GetBoolean(at + 5), r.GetDouble(at + 6), r.GetDouble(at + 7)));

    internal static PortalUser ReadUser(SqliteDataReader r, int at, long portalId) =>
        new(portalId, r.GetInt64(at), r.GetString(at + 1), r.GetString(at + 2), r.GetString(at + 3), r.GetBoolean(at + 4), r.GetBoolean(at + 5));

    internal static IReadOnlySet<string> ReadScopes(SqliteDataReader r, int at) => r.GetString(at).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    internal static DateTimeOffset? ReadTime(SqliteDataReader r, int at) => r.IsDBNull(at) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(at));
}
