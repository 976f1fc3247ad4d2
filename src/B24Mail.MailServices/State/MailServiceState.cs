using System.Text.Json;
using B24Mail.MailServices.Icons;
using B24Mail.Storage;
using B24Mail.Storage.State;

namespace B24Mail.MailServices.State;

/// <summary>
/// The mailservice part of the state document: a portal's logos (with their file IDs, keys, names and content)
/// and its services with every field, the SMTP ones included. A logo is read from a file beside the document or
/// from base64, and must be an image the API would take (<see cref="ImageCheck"/>, <see cref="IconPolicy"/>).
/// Logo files on disk are outside the transaction: a new file is written before the commit (and removed again
/// if it does not happen), and a file no row names any more is removed after it, so a reader never finds a row
/// whose file is missing. With logos in the database, they are rows of the same transaction.
/// </summary>
public sealed class MailServiceState(IDatabase database, IIconBlobStore blobs, IconPolicy policy) : IStateSection
{
    private static readonly string[] LogoKeys = ["id", "key", "fileName", "path", "base64"];
    private static readonly string[] ServiceKeys =
    [
        "id", "active", "sort", "name", "server", "port", "encryption", "link", "logo",
        "smtpServer", "smtpPort", "smtpLoginAsImap", "smtpPasswordAsImap", "smtpEncryption", "uploadOutgoing",
    ];

    public IReadOnlyList<string> Keys { get; } = ["logos", "mailServices"];

    public sealed record Part(IReadOnlyList<LogoPart> Logos, IReadOnlyList<MailService> Services);

    public sealed record LogoPart(long Id, string Key, string FileName, string ContentType, byte[] Content);

    // ---- reading ---------------------------------------------------------------------------------------

    public object? Read(JsonObjectReader portal)
    {
        var state = portal.State;
        var before = state.Errors.Count;
        var logos = new List<LogoPart>();
        // Every ID the logos give, also of one refused for its content, so a service naming it gets no second error.
        var logoIds = new HashSet<long>();
        foreach (var (item, path) in portal.Items("logos"))
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var given) && given.ValueKind == JsonValueKind.Number && given.TryGetInt64(out var declared)) logoIds.Add(declared);
            if (state.Object(item, path, LogoKeys) is { } logo && ReadLogo(logo) is { } part) logos.Add(part);
        }

        var services = new List<MailService>();
        foreach (var (item, path) in portal.Items("mailServices"))
        {
            if (state.Object(item, path, ServiceKeys) is not { } service) continue;
            var id = service.Id("id");
            if (id > 0) state.Claim("service.id", id.ToString(), service.PathOf("id"), $"Mail service ID {id}");
            var name = service.Text("name", required: true, maxLength: MailServiceFields.MaxTextLength);
            if (name is not null && name.Trim().Length == 0) state.Error(service.PathOf("name"), "must not be blank");
            var logo = service.Integer("logo", 1, long.MaxValue, nullable: true);
            if (logo is { } logoId && !logoIds.Contains(logoId)) state.Error(service.PathOf("logo"), $"names logo {logoId}, which is not among this portal's logos");
            services.Add(new MailService(
                Id: id,
                SiteId: "",
                Active: service.Flag("active", true),
                Sort: service.Integer("sort", 0, int.MaxValue, fallback: 100) ?? 100,
                Name: name ?? "",
                Server: (service.Text("server", fallback: "", maxLength: MailServiceFields.MaxTextLength) ?? "").Trim().ToLowerInvariant(),
                Port: service.Integer("port", 1, 65535, nullable: true),
                Encryption: service.Flag("encryption", false),
                Link: service.Text("link", nullable: true, maxLength: MailServiceFields.MaxTextLength),
                Icon: logo is { } icon ? new IconRef(icon, 0, "", "") : null,
                SmtpServer: service.Text("smtpServer", nullable: true, maxLength: MailServiceFields.MaxTextLength),
                SmtpPort: service.Integer("smtpPort", 1, 65535, nullable: true),
                SmtpLoginAsImap: service.Flag("smtpLoginAsImap", false),
                SmtpPasswordAsImap: service.Flag("smtpPasswordAsImap", false),
                SmtpEncryption: service.NullableFlag("smtpEncryption"),
                UploadOutgoing: service.NullableFlag("uploadOutgoing")));
        }
        return state.Errors.Count > before ? null : new Part(logos, services);
    }

    private LogoPart? ReadLogo(JsonObjectReader logo)
    {
        var state = logo.State;
        var id = logo.Id("id");
        if (id > 0) state.Claim("logo.id", id.ToString(), logo.PathOf("id"), $"Logo ID {id}");
        var key = logo.Text("key", maxLength: 32, rule: k => k.Length == 32 && k.All(char.IsAsciiHexDigitLower), ruleText: "32 lower-case hex digits");
        if (key is not null) state.Claim("logo.key", key, logo.PathOf("key"), "This logo key");
        var fileName = logo.Text("fileName");
        byte[]? content;
        string contentAt;
        if (logo.Has("path") && logo.Has("base64"))
        {
            state.Error(logo.PathOf("base64"), "give path or base64, not both");
            return null;
        }
        if (logo.Has("path"))
        {
            contentAt = logo.PathOf("path");
            var path = logo.Text("path", maxLength: 4096);
            if (path is null) return null;
            content = ReadFile(state, contentAt, path);
            fileName ??= Path.GetFileName(path);
        }
        else if (logo.Has("base64"))
        {
            contentAt = logo.PathOf("base64");
            var text = logo.Text("base64", maxLength: int.MaxValue)?.Trim();
            if (text is null) return null;
            // Base64 grows data by 4/3; refuse an oversized string before decoding it.
            if (text.Length > (policy.MaxBytes / 3 + 2) * 4 + 1024)
            {
                state.Error(contentAt, $"holds more than {policy.MaxBytes} bytes (--icon-max-bytes)");
                return null;
            }
            var buffer = new byte[text.Length * 3 / 4 + 3];
            if (!Convert.TryFromBase64String(text, buffer, out var written))
            {
                state.Error(contentAt, "is not base64");
                return null;
            }
            content = buffer.AsSpan(0, written).ToArray();
        }
        else
        {
            state.Error(logo.PathOf("base64"), "is required (or path, to a file beside the document)");
            return null;
        }
        if (content is null) return null;
        if (ImageCheck.Check(content, policy) is not { } image)
        {
            state.Error(contentAt, $"is not an image this server takes: PNG, JPEG, GIF or WebP, at most {policy.MaxBytes} bytes and {policy.MaxDimension} pixels a side");
            return null;
        }
        if (id <= 0 || (key is null && logo.Has("key"))) return null;
        return new LogoPart(id, key ?? IconNames.NewKey(), IconNames.Clean(fileName ?? $"logo-{id}", image.Extension), image.ContentType, content);
    }

    /// <summary>
    /// A file named relative to the document's folder, which it may not leave: not by an absolute path, not by
    /// <c>..</c>, not through a symbolic link that points outside.
    /// </summary>
    private byte[]? ReadFile(StateReader state, string at, string path)
    {
        if (state.Folder is null)
        {
            state.Error(at, "file paths are taken only from a document file (--seed, state import); over the API give the logo as base64");
            return null;
        }
        if (path.Length == 0 || Path.IsPathRooted(path) || path.Contains('\\') || path.Contains('\0'))
        {
            state.Error(at, "must be a path relative to the document's folder");
            return null;
        }
        var folder = Path.GetFullPath(state.Folder);
        var full = Path.GetFullPath(Path.Combine(folder, path));
        if (!IsInside(folder, full))
        {
            state.Error(at, "leaves the document's folder");
            return null;
        }
        var real = RealPath(full);
        var realFolder = RealPath(folder);
        if (real is null || realFolder is null || !IsInside(realFolder, real))
        {
            state.Error(at, real is null ? "cannot be resolved" : "leads out of the document's folder through a symbolic link");
            return null;
        }
        try
        {
            var info = new FileInfo(real);
            if (!info.Exists)
            {
                state.Error(at, Directory.Exists(real) ? "is a folder, not a file" : "names no file");
                return null;
            }
            if (info.Length > policy.MaxBytes)
            {
                state.Error(at, $"is larger than {policy.MaxBytes} bytes (--icon-max-bytes)");
                return null;
            }
            return File.ReadAllBytes(real);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            state.Error(at, "cannot be read: " + exception.Message);
            return null;
        }
    }

    private static bool IsInside(string folder, string path) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link along it followed (as realpath(3)); null if a link cannot be followed.</summary>
    private static string? RealPath(string path, int depth = 0)
    {
        if (depth > 40) return null;
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                var resolved = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
                next = RealPath(resolved, depth + 1);
                if (next is null) return null;
            }
            current = next;
        }
        return current;
    }

    // ---- writing ---------------------------------------------------------------------------------------

    /// <summary>The logo files one transaction touched, by (portal, key): the ones rows named before, now, and those it made.</summary>
    private sealed class LogoFiles
    {
        public readonly HashSet<(long Portal, string Key)> Before = [];
        public readonly HashSet<(long Portal, string Key)> After = [];
        public readonly List<(long Portal, string Key)> Made = [];
        public bool Registered;
    }

    public async ValueTask LockAsync(IDbSession session)
    {
        if (database.Dialect != SqlDialect.Postgres) return;
        // In the order the API's writes take them (a logo row before its service), so neither waits on the other in a cycle.
        await session.ExecuteAsync("LOCK TABLE icon_blobs, mail_icons, mail_services, mail_presets_seeded IN SHARE ROW EXCLUSIVE MODE");
    }

    public async ValueTask WriteAsync(IDbSession session, long portalId, object? part, StateChanges changes)
    {
        var disk = blobs as DiskIconBlobStore;
        var files = changes.Item<LogoFiles>();
        if (!files.Registered && disk is not null)
        {
            files.Registered = true;
            changes.OnComplete(committed => Complete(disk, files, committed));
        }
        var oldKeys = new List<string>();
        await using (var reader = await session.ReaderAsync("SELECT file_key FROM mail_icons WHERE portal_id = @portal", ("@portal", portalId)))
        {
            var key = reader.GetOrdinal("file_key");
            while (await reader.ReadAsync(session.Cancellation)) oldKeys.Add(reader.GetString(key));
        }
        foreach (var key in oldKeys)
        {
            files.Before.Add((portalId, key));
            // Only the blobs rows named: one an add is writing right now is not named yet, and stays.
            if (disk is null) await session.ExecuteAsync("DELETE FROM icon_blobs WHERE file_key = @key", ("@key", key));
        }
        await session.ExecuteAsync("DELETE FROM mail_services WHERE portal_id = @portal", ("@portal", portalId));
        await session.ExecuteAsync("DELETE FROM mail_icons WHERE portal_id = @portal", ("@portal", portalId));
        await session.ExecuteAsync("DELETE FROM mail_presets_seeded WHERE portal_id = @portal", ("@portal", portalId));
        if (part is not Part mail) return;

        foreach (var logo in mail.Logos)
        {
            var key = logo.Key;
            if (disk is null)
            {
                await session.ExecuteAsync("""
                    INSERT INTO icon_blobs (file_key, portal_id, content) VALUES (@key, @portal, @content)
                    ON CONFLICT (file_key) DO UPDATE SET portal_id = excluded.portal_id, content = excluded.content
                    """, ("@key", key), ("@portal", portalId), ("@content", logo.Content));
            }
            else
            {
                var made = disk.Ensure(portalId, key, logo.Content);
                if (made is null)
                {
                    // A file of that name with other content is still named by rows until the commit.
                    key = IconNames.NewKey();
                    made = disk.Ensure(portalId, key, logo.Content);
                }
                if (made == true) files.Made.Add((portalId, key));
            }
            files.After.Add((portalId, key));
            await session.ExecuteAsync("INSERT INTO mail_icons (id, portal_id, file_key, file_name, content_type, size) VALUES (@id, @portal, @key, @name, @type, @size)",
                ("@id", logo.Id), ("@portal", portalId), ("@key", key), ("@name", logo.FileName), ("@type", logo.ContentType), ("@size", (long)logo.Content.Length));
        }
        var siteId = (string)(await session.ScalarAsync("SELECT site_id FROM portals WHERE id = @portal", ("@portal", portalId)))!;
        foreach (var s in mail.Services)
        {
            await session.ExecuteAsync("""
                INSERT INTO mail_services (id, portal_id, site_id, active, sort, name, server, port, encryption, link, icon_id,
                    smtp_server, smtp_port, smtp_login_as_imap, smtp_password_as_imap, smtp_encryption, upload_outgoing)
                VALUES (@id, @portal, @site, @active, @sort, @name, @server, @port, @encryption, @link, @icon,
                    @smtp_server, @smtp_port, @smtp_login, @smtp_password, @smtp_encryption, @upload)
                """,
                ("@id", s.Id), ("@portal", portalId), ("@site", siteId), ("@active", s.Active), ("@sort", s.Sort), ("@name", s.Name), ("@server", s.Server),
                ("@port", s.Port), ("@encryption", s.Encryption), ("@link", s.Link), ("@icon", s.Icon?.FileId),
                ("@smtp_server", s.SmtpServer), ("@smtp_port", s.SmtpPort), ("@smtp_login", s.SmtpLoginAsImap), ("@smtp_password", s.SmtpPasswordAsImap),
                ("@smtp_encryption", s.SmtpEncryption), ("@upload", s.UploadOutgoing));
        }
        // The portal is provisioned: the presets are never added to it on a later start.
        await session.ExecuteAsync("INSERT INTO mail_presets_seeded (portal_id) VALUES (@portal) ON CONFLICT (portal_id) DO NOTHING", ("@portal", portalId));
    }

    private static void Complete(DiskIconBlobStore disk, LogoFiles files, bool committed)
    {
        var gone = committed ? files.Before.Where(f => !files.After.Contains(f)).ToList() : files.Made;
        foreach (var (portal, key) in gone)
        {
            try
            {
                disk.Delete(portal, key);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A file no row names; it costs only its space.
            }
        }
    }

    public async ValueTask FinishAsync(IDbSession session, bool whole)
    {
        await Sequences.ContinueAsync(session, database.Dialect, "mail_icons", whole);
        await Sequences.ContinueAsync(session, database.Dialect, "mail_services", whole);
    }

    // ---- export ----------------------------------------------------------------------------------------

    public async ValueTask ExportAsync(IDbSession session, long portalId, Utf8JsonWriter json)
    {
        var logos = new List<(long Id, string Key, string Name)>();
        await using (var reader = await session.ReaderAsync("SELECT id, file_key, file_name FROM mail_icons WHERE portal_id = @portal ORDER BY id", ("@portal", portalId)))
        {
            int id = reader.GetOrdinal("id"), key = reader.GetOrdinal("file_key"), name = reader.GetOrdinal("file_name");
            while (await reader.ReadAsync(session.Cancellation)) logos.Add((reader.GetInt64(id), reader.GetString(key), reader.GetString(name)));
        }
        json.WriteStartArray("logos");
        foreach (var (id, key, name) in logos)
        {
            var content = blobs is DiskIconBlobStore disk
                ? disk.Read(portalId, key)
                : await session.ScalarAsync("SELECT content FROM icon_blobs WHERE file_key = @key", ("@key", key)) as byte[];
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("key", key);
            json.WriteString("fileName", name);
            json.WriteBase64String("base64", content ?? throw new InvalidOperationException($"The file of logo {id} is missing from the logo store."));
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("mailServices");
        await using (var reader = await session.ReaderAsync("""
            SELECT id, active, sort, name, server, port, encryption, link, icon_id,
                   smtp_server, smtp_port, smtp_login_as_imap, smtp_password_as_imap, smtp_encryption, upload_outgoing
            FROM mail_services WHERE portal_id = @portal ORDER BY id
            """, ("@portal", portalId)))
        {
            int id = reader.GetOrdinal("id"), active = reader.GetOrdinal("active"), sort = reader.GetOrdinal("sort"), name = reader.GetOrdinal("name"),
                server = reader.GetOrdinal("server"), port = reader.GetOrdinal("port"), encryption = reader.GetOrdinal("encryption"), link = reader.GetOrdinal("link"),
                icon = reader.GetOrdinal("icon_id"), smtpServer = reader.GetOrdinal("smtp_server"), smtpPort = reader.GetOrdinal("smtp_port"),
                smtpLogin = reader.GetOrdinal("smtp_login_as_imap"), smtpPassword = reader.GetOrdinal("smtp_password_as_imap"),
                smtpEncryption = reader.GetOrdinal("smtp_encryption"), upload = reader.GetOrdinal("upload_outgoing");
            while (await reader.ReadAsync(session.Cancellation))
            {
                json.WriteStartObject();
                json.WriteNumber("id", reader.GetInt64(id));
                json.WriteBoolean("active", reader.GetBoolean(active));
                json.WriteNumber("sort", reader.GetInt64(sort));
                json.WriteString("name", reader.GetString(name));
                json.WriteString("server", reader.GetString(server));
                WriteNumber(json, "port", reader, port);
                json.WriteBoolean("encryption", reader.GetBoolean(encryption));
                WriteText(json, "link", reader, link);
                WriteNumber(json, "logo", reader, icon);
                WriteText(json, "smtpServer", reader, smtpServer);
                WriteNumber(json, "smtpPort", reader, smtpPort);
                json.WriteBoolean("smtpLoginAsImap", reader.GetBoolean(smtpLogin));
                json.WriteBoolean("smtpPasswordAsImap", reader.GetBoolean(smtpPassword));
                WriteFlag(json, "smtpEncryption", reader, smtpEncryption);
                WriteFlag(json, "uploadOutgoing", reader, upload);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, System.Data.Common.DbDataReader reader, int at)
    {
        if (reader.IsDBNull(at)) json.WriteNull(name);
        else json.WriteNumber(name, reader.GetInt64(at));
    }

    private static void WriteText(Utf8JsonWriter json, string name, System.Data.Common.DbDataReader reader, int at)
    {
        if (reader.IsDBNull(at)) json.WriteNull(name);
        else json.WriteString(name, reader.GetString(at));
    }

    private static void WriteFlag(Utf8JsonWriter json, string name, System.Data.Common.DbDataReader reader, int at)
    {
        if (reader.IsDBNull(at)) json.WriteNull(name);
        else json.WriteBoolean(name, reader.GetBoolean(at));
    }
}
