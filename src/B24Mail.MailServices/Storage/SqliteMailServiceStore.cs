using B24Mail.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace B24Mail.MailServices.Storage;

public sealed class SqliteMailServiceStore(SqliteDatabase database) : IMailServiceStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE mail_icons (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            portal_id INTEGER NOT NULL,
            file_key TEXT NOT NULL UNIQUE,
            file_name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL
        );
        CREATE TABLE mail_services (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            portal_id INTEGER NOT NULL,
            site_id TEXT NOT NULL,
            active INTEGER NOT NULL,
            sort INTEGER NOT NULL,
            name TEXT NOT NULL,
            server TEXT NOT NULL,
            port INTEGER NULL,
            encryption INTEGER NOT NULL,
            link TEXT NULL,
            icon_id INTEGER NULL REFERENCES mail_icons(id),
            smtp_server TEXT NULL,
            smtp_port INTEGER NULL,
            smtp_login_as_imap INTEGER NOT NULL DEFAULT 0,
            smtp_password_as_imap INTEGER NOT NULL DEFAULT 0,
            smtp_encryption INTEGER NULL,
            upload_outgoing INTEGER NULL
        );
        CREATE INDEX mail_services_list ON mail_services (portal_id, site_id, active, sort, name, id);
        CREATE INDEX mail_services_icon ON mail_services (icon_id);
        CREATE INDEX mail_icons_portal ON mail_icons (portal_id, id);
        """,
    ];

    private const string SelectColumns = """
        SELECT s.id, s.site_id, s.active, s.sort, s.name, s.server, s.port, s.encryption, s.link,
               i.id, i.portal_id, i.file_key, i.file_name,
               s.smtp_server, s.smtp_port, s.smtp_login_as_imap, s.smtp_password_as_imap, s.smtp_encryption, s.upload_outgoing
        FROM mail_services s LEFT JOIN mail_icons i ON i.id = s.icon_id
        """;

    public Task MigrateAsync() => SqliteSchema.MigrateAsync(database, "mailservice", Migrations);

    public Task<MailService?> GetAsync(long portalId, long id, CancellationToken cancellationToken = default) => database.ReadAsync(reader => reader.Cached($"service:{portalId}:{id}", session =>
    {
        var command = session.Command(SelectColumns + " WHERE s.portal_id = $portal AND s.id = $id", ("$portal", portalId), ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadService(reader) : null;
    }), cancellationToken);

    public Task<IReadOnlyList<MailService>> ListActiveAsync(long portalId, string siteId, CancellationToken cancellationToken = default) => database.ReadAsync(reader => reader.Cached($"list:{portalId}:{siteId}", session =>
    {
        var command = session.Command(SelectColumns + " WHERE s.portal_id = $portal AND s.site_id = $site AND s.active = 1 ORDER BY s.sort, s.name, s.id",
            ("$portal", portalId), ("$site", siteId));
        using var reader = command.ExecuteReader();
        var services = new List<MailService>();
        while (reader.Read()) services.Add(ReadService(reader));
        return (IReadOnlyList<MailService>)services;
    }), cancellationToken);

    public Task<long> AddAsync(long portalId, string siteId, MailServiceChanges values, IconWrite? icon, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        var iconId = ResolveIcon(session, portalId, icon);
        var command = session.Command("""
            INSERT INTO mail_services (portal_id, site_id, active, sort, name, server, port, encryption, link, icon_id)
            VALUES ($portal, $site, $active, $sort, $name, $server, $port, $encryption, $link, $icon)
            RETURNING id
            """,
            ("$portal", portalId), ("$site", siteId), ("$active", values.Active ?? true), ("$sort", values.Sort ?? 100),
            ("$name", values.Name ?? ""), ("$server", values.Server ?? ""), ("$port", values.Port.Value), ("$encryption", values.Encryption ?? false),
            ("$link", values.Link.Value), ("$icon", iconId));
        return Convert.ToInt64(command.ExecuteScalar());
    });

    public Task<MailServiceWrite> UpdateAsync(long portalId, long id, MailServiceChanges changes, IconWrite? icon, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        var oldIcon = CurrentIcon(session, portalId, id, out var found);
        if (!found) return new MailServiceWrite(false, []);
        var sets = new List<string>();
        var parameters = new List<(string, object?)> { ("$portal", portalId), ("$id", id) };
        void Set(string column, object? value)
        {
            sets.Add($"{column} = ${column}");
            parameters.Add(($"${column}", value));
        }
        if (changes.Active is { } active) Set("active", active);
        if (changes.Sort is { } sort) Set("sort", sort);
        if (changes.Name is { } name) Set("name", name);
        if (changes.Server is { } server) Set("server", server);
        if (changes.Port.IsSet) Set("port", changes.Port.Value);
        if (changes.Encryption is { } encryption) Set("encryption", encryption);
        if (changes.Link.IsSet) Set("link", changes.Link.Value);
        if (icon is not null) Set("icon_id", ResolveIcon(session, portalId, icon));
        if (sets.Count > 0)
        {
            var command = session.Command($"UPDATE mail_services SET {string.Join(", ", sets)} WHERE portal_id = $portal AND id = $id", parameters.ToArray());
            command.ExecuteNonQuery();
        }
        return new MailServiceWrite(true, icon is null ? [] : DropIfUnused(session, oldIcon));
    });

    public Task<MailServiceWrite> DeleteAsync(long portalId, long id, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        var oldIcon = CurrentIcon(session, portalId, id, out var found);
        if (!found) return new MailServiceWrite(false, []);
        var command = session.Command("DELETE FROM mail_services WHERE portal_id = $portal AND id = $id", ("$portal", portalId), ("$id", id));
        command.ExecuteNonQuery();
        return new MailServiceWrite(true, DropIfUnused(session, oldIcon));
    });

    public Task<bool> IconExistsAsync(long portalId, long fileId, CancellationToken cancellationToken = default) => database.ReadAsync(session =>
    {
        var command = session.Command("SELECT 1 FROM mail_icons WHERE portal_id = $portal AND id = $id", ("$portal", portalId), ("$id", fileId));
        return command.ExecuteScalar() is not null;
    }, cancellationToken);

    public Task<IconFile?> FindIconAsync(long fileId, string key, CancellationToken cancellationToken = default) => database.ReadAsync(session =>
    {
        var command = session.Command("SELECT id, portal_id, file_key, file_name, content_type, size FROM mail_icons WHERE id = $id AND file_key = $key", ("$id", fileId), ("$key", key));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadIcon(reader) : null;
    }, cancellationToken);

    public Task SeedAsync(long portalId, string siteId, IReadOnlyList<MailServiceChanges> presets, CancellationToken cancellationToken = default) => database.WriteAsync(session =>
    {
        var count = session.Command("SELECT COUNT(*) FROM mail_services WHERE portal_id = $portal", ("$portal", portalId));
        if (Convert.ToInt64(count.ExecuteScalar()) > 0) return;
        foreach (var preset in presets)
        {
            var insert = session.Command("""
                INSERT INTO mail_services (portal_id, site_id, active, sort, name, server, port, encryption, link)
                VALUES ($portal, $site, 1, $sort, $name, $server, $port, $encryption, $link)
                """,
                ("$portal", portalId), ("$site", siteId), ("$sort", preset.Sort), ("$name", preset.Name), ("$server", preset.Server ?? ""),
                ("$port", preset.Port.Value), ("$encryption", preset.Encryption ?? false), ("$link", preset.Link.Value));
            insert.ExecuteNonQuery();
        }
    });

    private static long? ResolveIcon(SqliteSession session, long portalId, IconWrite? icon)
    {
        switch (icon)
        {
            case null or IconWrite.Remove:
                return null;
            case IconWrite.Existing existing:
                if (session.Scalar("SELECT 1 FROM mail_icons WHERE portal_id = $portal AND id = $id", ("$portal", portalId), ("$id", existing.FileId)) is null)
                {
                    throw new UnknownIconException(existing.FileId);
                }
                return existing.FileId;
            case IconWrite.New created:
                return Convert.ToInt64(session.Scalar("INSERT INTO mail_icons (portal_id, file_key, file_name, content_type, size) VALUES ($portal, $key, $name, $type, $size) RETURNING id",
                    ("$portal", portalId), ("$key", created.Key), ("$name", created.FileName), ("$type", created.ContentType), ("$size", created.Size)));
            default:
                throw new ArgumentOutOfRangeException(nameof(icon));
        }
    }

    private static long? CurrentIcon(SqliteSession session, long portalId, long id, out bool found)
    {
        var command = session.Command("SELECT icon_id FROM mail_services WHERE portal_id = $portal AND id = $id", ("$portal", portalId), ("$id", id));
        using var reader = command.ExecuteReader();
        found = reader.Read();
        return found && !reader.IsDBNull(0) ? reader.GetInt64(0) : null;
    }

    /// <summary>Deletes the icon row once no service refers to it, and hands back the file so its blob can go too.</summary>
    private static IReadOnlyList<IconFile> DropIfUnused(SqliteSession session, long? iconId)
    {
        if (iconId is null) return [];
        var command = session.Command("""
            DELETE FROM mail_icons WHERE id = $id AND NOT EXISTS (SELECT 1 FROM mail_services WHERE icon_id = $id)
            RETURNING id, portal_id, file_key, file_name, content_type, size
            """, ("$id", iconId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? [ReadIcon(reader)] : [];
    }

    private static IconFile ReadIcon(SqliteDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5));

    private static MailService ReadService(SqliteDataReader r) => new(
        Id: r.GetInt64(0),
        SiteId: r.GetString(1),
        Active: r.GetBoolean(2),
        Sort: r.GetInt64(3),
        Name: r.GetString(4),
        Server: r.GetString(5),
        Port: r.IsDBNull(6) ? null : r.GetInt64(6),
        Encryption: r.GetBoolean(7),
        Link: r.IsDBNull(8) ? null : r.GetString(8),
        Icon: r.IsDBNull(9) ? null : new IconRef(r.GetInt64(9), r.GetInt64(10), r.GetString(11), r.GetString(12)),
        SmtpServer: r.IsDBNull(13) ? null : r.GetString(13),
        SmtpPort: r.IsDBNull(14) ? null : r.GetInt64(14),
        SmtpLoginAsImap: r.GetBoolean(15),
        SmtpPasswordAsImap: r.GetBoolean(16),
        SmtpEncryption: r.IsDBNull(17) ? null : r.GetBoolean(17),
        UploadOutgoing: r.IsDBNull(18) ? null : r.GetBoolean(18));
}
