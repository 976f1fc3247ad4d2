using B24Mail.Rest.Identity;
using Microsoft.Data.Sqlite;

namespace B24Mail.Storage.Sqlite;

public sealed class SqliteIdentityStore(SqliteDatabase database) : IIdentityStore
{
    private static readonly string[] Migrations =
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
    ];

    public Task MigrateAsync() => SqliteSchema.MigrateAsync(database, "identity", Migrations);

    public Task<WebhookGrant?> FindWebhookAsync(byte[] secretHash, CancellationToken cancellationToken = default) => database.ReadAsync(connection =>
    {
        using var command = SqliteDatabase.Command(connection, null, """
            SELECT w.id, w.scopes, w.active, w.expires_at, w.secret_hash,
                   p.id, p.member_id, p.domain, p.site_id,
                   u.id, u.name, u.last_name, u.email, u.is_admin, u.is_active
            FROM webhooks w
            JOIN portals p ON p.id = w.portal_id
            JOIN users u ON u.portal_id = w.portal_id AND u.id = w.user_id
            WHERE w.secret_hash = $hash
            """, ("$hash", secretHash));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var portal = new Portal(reader.GetInt64(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));
        var user = new PortalUser(portal.Id, reader.GetInt64(9), reader.GetString(10), reader.GetString(11), reader.GetString(12), reader.GetBoolean(13), reader.GetBoolean(14));
        var scopes = reader.GetString(1).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        DateTimeOffset? expires = reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3));
        return (WebhookGrant?)new WebhookGrant(reader.GetInt64(0), portal, user, scopes, reader.GetBoolean(2), expires, (byte[])reader.GetValue(4));
    }, cancellationToken);

    public Task<Portal?> FindPortalAsync(string code, CancellationToken cancellationToken = default) => database.ReadAsync(connection =>
    {
        using var command = SqliteDatabase.Command(connection, null, "SELECT id, member_id, domain, site_id FROM portals WHERE code = $code", ("$code", code));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadPortal(reader) : null;
    }, cancellationToken);

    public Task<IReadOnlyList<Portal>> ListPortalsAsync(CancellationToken cancellationToken = default) => database.ReadAsync(connection =>
    {
        using var command = SqliteDatabase.Command(connection, null, "SELECT id, member_id, domain, site_id FROM portals ORDER BY id");
        using var reader = command.ExecuteReader();
        var portals = new List<Portal>();
        while (reader.Read()) portals.Add(ReadPortal(reader));
        return (IReadOnlyList<Portal>)portals;
    }, cancellationToken);

    public Task<Portal> AddPortalAsync(string code, string memberId, string domain, string siteId, CancellationToken cancellationToken = default) => database.WriteAsync((connection, transaction) =>
    {
        using var command = SqliteDatabase.Command(connection, transaction,
            "INSERT INTO portals (code, member_id, domain, site_id) VALUES ($code, $member, $domain, $site) RETURNING id",
            ("$code", code), ("$member", memberId), ("$domain", domain), ("$site", siteId));
        var id = Convert.ToInt64(command.ExecuteScalar());
        return new Portal(id, memberId, domain, siteId);
    });

    public Task<PortalUser> AddUserAsync(long portalId, string name, string lastName, string email, bool isAdmin, CancellationToken cancellationToken = default) => database.WriteAsync((connection, transaction) =>
    {
        // User IDs count from 1 in each portal, as on real portals; the write lock makes MAX+1 safe.
        using var command = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO users (portal_id, id, name, last_name, email, is_admin, is_active)
            VALUES ($portal, (SELECT COALESCE(MAX(id), 0) + 1 FROM users WHERE portal_id = $portal), $name, $last, $email, $admin, 1)
            RETURNING id
            """, ("$portal", portalId), ("$name", name), ("$last", lastName), ("$email", email), ("$admin", isAdmin));
        var id = Convert.ToInt64(command.ExecuteScalar());
        return new PortalUser(portalId, id, name, lastName, email, isAdmin, true);
    });

    public Task<PortalUser?> FindUserAsync(long portalId, long userId, CancellationToken cancellationToken = default) => database.ReadAsync(connection =>
    {
        using var command = SqliteDatabase.Command(connection, null,
            "SELECT id, name, last_name, email, is_admin, is_active FROM users WHERE portal_id = $portal AND id = $id", ("$portal", portalId), ("$id", userId));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return (PortalUser?)new PortalUser(portalId, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4), reader.GetBoolean(5));
    }, cancellationToken);

    public Task<long> AddWebhookAsync(long portalId, long userId, byte[] secretHash, IReadOnlyCollection<string> scopes, string title, DateTimeOffset createdAt, CancellationToken cancellationToken = default) => database.WriteAsync((connection, transaction) =>
    {
        using var command = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO webhooks (portal_id, user_id, secret_hash, scopes, title, active, expires_at, created_at)
            VALUES ($portal, $user, $hash, $scopes, $title, 1, NULL, $created)
            RETURNING id
            """, ("$portal", portalId), ("$user", userId), ("$hash", secretHash), ("$scopes", string.Join(',', scopes)), ("$title", title), ("$created", createdAt.ToUnixTimeSeconds()));
        return Convert.ToInt64(command.ExecuteScalar());
    });

    private static Portal ReadPortal(SqliteDataReader reader) => new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
}
