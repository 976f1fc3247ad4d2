using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Limits;
using B24Mail.Storage.State;

namespace B24Mail.Storage.Identity;

/// <summary>
/// The identity part of the state document: a portal's own row (code, domain, member_id, site, licence, state,
/// rate limit), its users, webhooks and OAuth apps with the users an app is limited to. Secrets are taken plain
/// or as the SHA-256 hash the database keeps, and exported as the hash; codes and tokens are never part of the
/// state, and replacing a portal's rows ends every grant it had.
/// </summary>
public sealed class IdentityState(IDatabase database) : IStateSection
{
    public static readonly string[] PortalKeys = ["code", "domain", "memberId", "siteId", "license", "language", "state", "rateLimit"];
    private static readonly string[] ChildKeys = ["users", "webhooks", "apps"];
    private static readonly string[] RateLimitKeys = ["enabled", "burst", "perSecond"];
    private static readonly string[] UserKeys = ["id", "name", "lastName", "email", "admin", "active", "registered", "lastLogin"];
    private static readonly string[] WebhookKeys = ["id", "user", "secret", "secretSha256", "scopes", "title", "active", "expires", "created"];
    private static readonly string[] AppKeys = ["id", "clientId", "clientSecret", "clientSecretSha256", "signingKey", "name", "code", "version", "active", "scopes", "redirectUri", "users"];

    public IReadOnlyList<string> Keys { get; } = [.. PortalKeys, .. ChildKeys];

    public sealed record PortalPart(string Code, string Domain, string MemberId, string SiteId, string License, string Language, PortalState State, RateLimit? RateLimit,
        IReadOnlyList<UserPart> Users, IReadOnlyList<WebhookPart> Webhooks, IReadOnlyList<AppPart> Apps);

    public sealed record UserPart(long Id, string Name, string LastName, string Email, bool Admin, bool Active, DateTimeOffset? Registered, DateTimeOffset? LastLogin);

    /// <summary>A webhook; <see cref="Secret"/> is the plain secret when the document gave it.</summary>
    public sealed record WebhookPart(long Id, long User, byte[] SecretHash, string? Secret, IReadOnlyList<string> Scopes, string Title, bool Active, DateTimeOffset? Expires, DateTimeOffset Created);

    public sealed record AppPart(long Id, string ClientId, byte[] SecretHash, string? SigningKey, string Name, string Code, int Version, bool Active,
        IReadOnlyList<string> Scopes, string RedirectUri, IReadOnlyList<long> Users);

    // ---- reading -------------------------------------------------------------------------------------

    public object? Read(JsonObjectReader portal)
    {
        var state = portal.State;
        var before = state.Errors.Count;
        var code = portal.Text("code", required: true, maxLength: 64, rule: IsCode, ruleText: "letters, digits, '-' and '_'");
        if (code is not null) state.Claim("portal.code", code, portal.PathOf("code"), $"Portal code '{code}'");
        var domain = portal.Text("domain", required: true, maxLength: 253, rule: IsHost, ruleText: "a host name: letters, digits, '-' and '.', with an optional :port")?.ToLowerInvariant();
        if (domain is not null) state.Claim("portal.domain", domain, portal.PathOf("domain"), $"Domain '{domain}'");
        var memberId = portal.Text("memberId", maxLength: 64, rule: IsToken, ruleText: "letters, digits, '-' and '_'")
            ?? (portal.Has("memberId") ? null : RandomNumberGenerator.GetHexString(32, lowercase: true));
        if (memberId is not null) state.Claim("portal.memberId", memberId, portal.PathOf("memberId"), $"memberId '{memberId}'");
        var siteId = portal.Text("siteId", fallback: "s1", maxLength: 16, rule: IsToken, ruleText: "letters, digits, '-' and '_'");
        var license = portal.Text("license", fallback: Licence.DefaultType, maxLength: 32, rule: Licence.IsValidType,
            ruleText: $"a licence type of one of the families {string.Join(", ", Licence.Families)}, optionally followed by digits (pro, ent10000)");
        var language = portal.Text("language", fallback: Licence.DefaultLanguage, maxLength: 2, rule: Licence.IsValidLanguage, ruleText: "a two-letter language code in lower case (en, de, ru)");
        var portalState = PortalState.Active;
        portal.Text("state", fallback: "active", maxLength: 16, rule: s => PortalStates.TryParse(s, out portalState), ruleText: "active, blocked, free or closed");
        var rateLimit = ReadRateLimit(portal);

        var users = new List<UserPart>();
        foreach (var (item, path) in portal.Items("users"))
        {
            if (state.Object(item, path, UserKeys) is not { } user) continue;
            var id = user.Id("id");
            if (id > 0) state.Claim(portal.Path + ".users", id.ToString(), user.PathOf("id"), $"User ID {id}");
            users.Add(new UserPart(id, user.Text("name", required: true) ?? "", user.Text("lastName", fallback: "") ?? "", user.Text("email", fallback: "") ?? "",
                user.Flag("admin", false), user.Flag("active", true), user.Time("registered", state.Now), user.Time("lastLogin", null)));
        }
        var userIds = users.Select(u => u.Id).ToHashSet();

        var webhooks = new List<WebhookPart>();
        foreach (var (item, path) in portal.Items("webhooks"))
        {
            if (state.Object(item, path, WebhookKeys) is not { } hook) continue;
            var id = hook.Id("id");
            if (id > 0) state.Claim("webhook.id", id.ToString(), hook.PathOf("id"), $"Webhook ID {id}");
            var user = hook.Id("user");
            if (user > 0 && !userIds.Contains(user)) state.Error(hook.PathOf("user"), $"names user {user}, who is not among this portal's users");
            var (hash, secret) = ReadSecret(hook, "secret", "secretSha256", IsWebhookSecret, "16 lower-case letters and digits");
            if (hash is not null) state.Claim("webhook.secret", Convert.ToHexString(hash), hook.PathOf(secret is null ? "secretSha256" : "secret"), "This webhook secret");
            webhooks.Add(new WebhookPart(id, user, hash ?? [], secret, ReadScopes(hook), hook.Text("title", fallback: "") ?? "", hook.Flag("active", true),
                hook.Time("expires", null), hook.Time("created", state.Now, nullable: false) ?? state.Now));
        }

        var apps = new List<AppPart>();
        foreach (var (item, path) in portal.Items("apps"))
        {
            if (state.Object(item, path, AppKeys) is not { } app) continue;
            var id = app.Id("id");
            if (id > 0) state.Claim("app.id", id.ToString(), app.PathOf("id"), $"App ID {id}");
            var clientId = app.Text("clientId", required: true, maxLength: 128, rule: IsClientId, ruleText: "letters, digits, '.', '-' and '_'");
            if (clientId is not null) state.Claim("app.clientId", clientId, app.PathOf("clientId"), $"clientId '{clientId}'");
            var (hash, secret) = ReadSecret(app, "clientSecret", "clientSecretSha256", IsClientSecret, "8 to 256 visible ASCII characters");
            var signingKey = app.Text("signingKey", nullable: true, maxLength: 32, rule: IsMd5Hex, ruleText: "32 lower-case hex digits (the MD5 of memberId and clientSecret)");
            if (secret is not null && memberId is not null)
            {
                var computed = SecuritySignature.SigningKey(memberId, secret);
                if (signingKey is not null && signingKey != computed) state.Error(app.PathOf("signingKey"), "does not match memberId and clientSecret; leave it out with a plain clientSecret");
                signingKey = computed;
            }
            var name = app.Text("name", required: true) ?? "";
            var appCode = app.Text("code", fallback: "local." + name.ToLowerInvariant().Replace(' ', '_'));
            var version = (int)(app.Integer("version", 1, int.MaxValue, fallback: 1) ?? 1);
            var redirect = app.Text("redirectUri", required: true, maxLength: 2048, rule: IsHttpUrl, ruleText: "an absolute http(s) URL");
            var limitedTo = new List<long>();
            var seen = new HashSet<long>();
            foreach (var (userItem, userPath) in app.Items("users"))
            {
                if (userItem.ValueKind != JsonValueKind.Number || !userItem.TryGetInt64(out var userId) || userId <= 0) state.Error(userPath, "must be a user ID (a positive integer)");
                else if (!userIds.Contains(userId)) state.Error(userPath, $"names user {userId}, who is not among this portal's users");
                else if (!seen.Add(userId)) state.Error(userPath, $"names user {userId} twice");
                else limitedTo.Add(userId);
            }
            apps.Add(new AppPart(id, clientId ?? "", hash ?? [], signingKey, name, appCode ?? "", version, app.Flag("active", true), ReadScopes(app), redirect ?? "", limitedTo));
        }

        if (state.Errors.Count > before) return null;
        return new PortalPart(code!, domain!, memberId!, siteId!, license!, language!, portalState, rateLimit, users, webhooks, apps);
    }

    private static RateLimit? ReadRateLimit(JsonObjectReader portal)
    {
        if (portal.Object("rateLimit", RateLimitKeys) is not { } limit) return null;
        var enabled = limit.Flag("enabled", true);
        var burst = limit.Number("burst", required: enabled, fallback: 0) ?? 0;
        var perSecond = limit.Number("perSecond", required: enabled, fallback: 0) ?? 0;
        if (enabled && burst < 1) limit.State.Error(limit.PathOf("burst"), "must be at least 1");
        if (enabled && perSecond <= 0) limit.State.Error(limit.PathOf("perSecond"), "must be more than 0");
        if (!enabled && (burst < 0 || perSecond < 0)) limit.State.Error(limit.Path, "burst and perSecond must not be negative");
        return new RateLimit(enabled, burst, perSecond);
    }

    /// <summary>A secret given plain under <paramref name="plainKey"/> or as its hex SHA-256 under <paramref name="hashKey"/>, exactly one of them.</summary>
    private static (byte[]? Hash, string? Plain) ReadSecret(JsonObjectReader item, string plainKey, string hashKey, Func<string, bool> plainRule, string plainText)
    {
        if (item.Has(plainKey) && item.Has(hashKey))
        {
            item.State.Error(item.PathOf(hashKey), $"give {plainKey} or {hashKey}, not both");
            return (null, null);
        }
        if (item.Has(hashKey))
        {
            var hex = item.Text(hashKey, maxLength: 64, rule: IsSha256Hex, ruleText: "64 hex digits (a SHA-256 hash)");
            return (hex is null ? null : Convert.FromHexString(hex), null);
        }
        if (!item.Has(plainKey))
        {
            item.State.Error(item.PathOf(plainKey), $"is required (or {hashKey}, as exported)");
            return (null, null);
        }
        var plain = item.Text(plainKey, maxLength: 256, rule: plainRule, ruleText: plainText);
        return (plain is null ? null : Secrets.Hash(plain), plain);
    }

    private static IReadOnlyList<string> ReadScopes(JsonObjectReader item)
    {
        var scopes = new List<string>();
        var before = item.State.Errors.Count;
        if (!item.Has("scopes"))
        {
            item.State.Error(item.PathOf("scopes"), "is required: a list of scope codes such as [\"mailservice\"]");
            return scopes;
        }
        foreach (var (value, path) in item.Items("scopes"))
        {
            if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 and <= 64 } scope || !scope.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                item.State.Error(path, "must be a scope code: lower-case letters, digits and '_'");
            }
            else if (scopes.Contains(scope)) item.State.Error(path, $"names scope '{scope}' twice");
            else scopes.Add(scope);
        }
        if (scopes.Count == 0 && item.State.Errors.Count == before) item.State.Error(item.PathOf("scopes"), "must name at least one scope");
        return scopes;
    }

    private static bool IsCode(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsToken(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsClientId(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsHost(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or ':') && s[0] != '.' && s[0] != ':';

    private static bool IsWebhookSecret(string s) => s.Length == 16 && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));

    private static bool IsClientSecret(string s) => s.Length is >= 8 and <= 256 && s.All(c => c is > ' ' and <= '~');

    private static bool IsSha256Hex(string s) => s.Length == 64 && s.All(char.IsAsciiHexDigit);

    private static bool IsMd5Hex(string s) => s.Length == 32 && s.All(char.IsAsciiHexDigitLower);

    private static bool IsHttpUrl(string s) => Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    // ---- writing ---------------------------------------------------------------------------------------

    public async ValueTask LockAsync(IDbSession session)
    {
        if (database.Dialect != SqlDialect.Postgres) return;
        // SHARE ROW EXCLUSIVE: reads go on (they see the state before the commit), other writers wait for it.
        await session.ExecuteAsync("LOCK TABLE portals, users, webhooks, oauth_apps, oauth_app_users, oauth_codes, oauth_tokens IN SHARE ROW EXCLUSIVE MODE");
    }

    /// <summary>The portals as stored: ID and code, in ID order.</summary>
    public static async ValueTask<List<(long Id, string Code)>> ListPortalsAsync(IDbSession session)
    {
        await using var reader = await session.ReaderAsync("SELECT id, code FROM portals ORDER BY id");
        var portals = new List<(long, string)>();
        int id = reader.GetOrdinal("id"), code = reader.GetOrdinal("code");
        while (await reader.ReadAsync(session.Cancellation)) portals.Add((reader.GetInt64(id), reader.GetString(code)));
        return portals;
    }

    /// <summary>
    /// Writes the portal's row: updated in place when it exists, so its ID (which rows, files and limit keys carry)
    /// stays; inserted otherwise. Its users, webhooks and apps are written by <see cref="Write"/>.
    /// </summary>
    public static async ValueTask<long> PutPortalAsync(IDbSession session, PortalPart part, long? existingId)
    {
        (string, object?)[] values =
        [
            ("@code", part.Code), ("@member", part.MemberId), ("@domain", part.Domain), ("@site", part.SiteId),
            ("@enabled", part.RateLimit?.Enabled), ("@burst", part.RateLimit?.Burst), ("@rate", part.RateLimit?.PerSecond),
            ("@license", part.License), ("@language", part.Language), ("@state", PortalStates.Text(part.State)),
        ];
        if (existingId is { } id)
        {
            await session.ExecuteAsync("""
                UPDATE portals SET member_id = @member, domain = @domain, site_id = @site, rate_enabled = @enabled, rate_burst = @burst,
                    rate_per_second = @rate, license_type = @license, language = @language, state = @state
                WHERE id = @id AND code = @code
                """, [.. values, ("@id", id)]);
            return id;
        }
        return Convert.ToInt64(await session.ScalarAsync("""
            INSERT INTO portals (code, member_id, domain, site_id, rate_enabled, rate_burst, rate_per_second, license_type, language, state)
            VALUES (@code, @member, @domain, @site, @enabled, @burst, @rate, @license, @language, @state) RETURNING id
            """, values));
    }

    /// <summary>
    /// Gives the kept portals member_ids no document can hold, so that a document may move a member_id from one
    /// portal to another (the column is unique, and rows are updated one at a time).
    /// </summary>
    public static async ValueTask ReleaseMemberIdsAsync(IDbSession session) => await session.ExecuteAsync("UPDATE portals SET member_id = '~' || CAST(id AS TEXT)");

    public static async ValueTask DeletePortalAsync(IDbSession session, long portalId) => await session.ExecuteAsync("DELETE FROM portals WHERE id = @portal", ("@portal", portalId));

    public async ValueTask WriteAsync(IDbSession session, long portalId, object? part, StateChanges changes)
    {
        await ClearAsync(session, portalId, changes);
        if (part is not PortalPart portal) return;
        foreach (var user in portal.Users)
        {
            await session.ExecuteAsync("""
                INSERT INTO users (portal_id, id, name, last_name, email, is_admin, is_active, registered_at, last_login_at)
                VALUES (@portal, @id, @name, @last, @email, @admin, @active, @registered, @login)
                """, ("@portal", portalId), ("@id", user.Id), ("@name", user.Name), ("@last", user.LastName), ("@email", user.Email), ("@admin", user.Admin),
                ("@active", user.Active), ("@registered", StoredTime.From(user.Registered)), ("@login", StoredTime.From(user.LastLogin)));
        }
        foreach (var hook in portal.Webhooks)
        {
            await session.ExecuteAsync("""
                INSERT INTO webhooks (id, portal_id, user_id, secret_hash, scopes, title, active, expires_at, created_at)
                VALUES (@id, @portal, @user, @hash, @scopes, @title, @active, @expires, @created)
                """, ("@id", hook.Id), ("@portal", portalId), ("@user", hook.User), ("@hash", hook.SecretHash), ("@scopes", string.Join(',', hook.Scopes)),
                ("@title", hook.Title), ("@active", hook.Active), ("@expires", StoredTime.From(hook.Expires)), ("@created", StoredTime.From(hook.Created)));
            changes.AddLimitPrefix($"op:hook:{hook.Id}:");
        }
        foreach (var app in portal.Apps)
        {
            await session.ExecuteAsync("""
                INSERT INTO oauth_apps (id, portal_id, client_id, secret_hash, name, scopes, redirect_uri, code, version, active, signing_key)
                VALUES (@id, @portal, @client, @hash, @name, @scopes, @redirect, @code, @version, @active, @key)
                """, ("@id", app.Id), ("@portal", portalId), ("@client", app.ClientId), ("@hash", app.SecretHash), ("@name", app.Name), ("@scopes", string.Join(',', app.Scopes)),
                ("@redirect", app.RedirectUri), ("@code", app.Code), ("@version", app.Version), ("@active", app.Active), ("@key", app.SigningKey));
            foreach (var user in app.Users)
            {
                await session.ExecuteAsync("INSERT INTO oauth_app_users (app_id, user_id) VALUES (@app, @user)", ("@app", app.Id), ("@user", user));
            }
            changes.AddLimitPrefix($"op:app:{app.Id}:");
        }
    }

    /// <summary>Removes the portal's users, webhooks, apps and every code and token it issued; notes their limit keys.</summary>
    private static async ValueTask ClearAsync(IDbSession session, long portalId, StateChanges changes)
    {
        changes.AddLimitPrefix($"rate:{portalId}:");
        foreach (var id in await IdsAsync(session, "SELECT id FROM webhooks WHERE portal_id = @portal", portalId)) changes.AddLimitPrefix($"op:hook:{id}:");
        foreach (var id in await IdsAsync(session, "SELECT id FROM oauth_apps WHERE portal_id = @portal", portalId)) changes.AddLimitPrefix($"op:app:{id}:");
        await session.ExecuteAsync("DELETE FROM oauth_tokens WHERE portal_id = @portal OR app_id IN (SELECT id FROM oauth_apps WHERE portal_id = @portal)", ("@portal", portalId));
        await session.ExecuteAsync("DELETE FROM oauth_codes WHERE portal_id = @portal OR app_id IN (SELECT id FROM oauth_apps WHERE portal_id = @portal)", ("@portal", portalId));
        await session.ExecuteAsync("DELETE FROM oauth_app_users WHERE app_id IN (SELECT id FROM oauth_apps WHERE portal_id = @portal)", ("@portal", portalId));
        await session.ExecuteAsync("DELETE FROM oauth_apps WHERE portal_id = @portal", ("@portal", portalId));
        await session.ExecuteAsync("DELETE FROM webhooks WHERE portal_id = @portal", ("@portal", portalId));
        await session.ExecuteAsync("DELETE FROM users WHERE portal_id = @portal", ("@portal", portalId));
    }

    private static async ValueTask<List<long>> IdsAsync(IDbSession session, string sql, long portalId)
    {
        await using var reader = await session.ReaderAsync(sql, ("@portal", portalId));
        var ids = new List<long>();
        var id = reader.GetOrdinal("id");
        while (await reader.ReadAsync(session.Cancellation)) ids.Add(reader.GetInt64(id));
        return ids;
    }

    public async ValueTask FinishAsync(IDbSession session, bool whole)
    {
        foreach (var table in new[] { "portals", "webhooks", "oauth_apps" }) await Sequences.ContinueAsync(session, database.Dialect, table, whole);
    }

    // ---- export ------------------------------------------------------------------------------------------

    public async ValueTask ExportAsync(IDbSession session, long portalId, Utf8JsonWriter json)
    {
        await using (var reader = await session.ReaderAsync("""
            SELECT code, domain, member_id, site_id, license_type, language, state, rate_enabled, rate_burst, rate_per_second FROM portals WHERE id = @portal
            """, ("@portal", portalId)))
        {
            if (!await reader.ReadAsync(session.Cancellation)) throw new InvalidOperationException($"Portal {portalId} is gone.");
            json.WriteString("code", reader.GetString(reader.GetOrdinal("code")));
            json.WriteString("domain", reader.GetString(reader.GetOrdinal("domain")));
            json.WriteString("memberId", reader.GetString(reader.GetOrdinal("member_id")));
            json.WriteString("siteId", reader.GetString(reader.GetOrdinal("site_id")));
            json.WriteString("license", reader.GetString(reader.GetOrdinal("license_type")));
            json.WriteString("language", reader.GetString(reader.GetOrdinal("language")));
            json.WriteString("state", PortalStates.Text(PortalStates.Parse(reader.GetString(reader.GetOrdinal("state")))));
            if (reader.IsDBNull(reader.GetOrdinal("rate_enabled"))) json.WriteNull("rateLimit");
            else
            {
                json.WriteStartObject("rateLimit");
                json.WriteBoolean("enabled", reader.GetBoolean(reader.GetOrdinal("rate_enabled")));
                json.WriteNumber("burst", reader.GetDouble(reader.GetOrdinal("rate_burst")));
                json.WriteNumber("perSecond", reader.GetDouble(reader.GetOrdinal("rate_per_second")));
                json.WriteEndObject();
            }
        }

        json.WriteStartArray("users");
        await using (var reader = await session.ReaderAsync("""
            SELECT id, name, last_name, email, is_admin, is_active, registered_at, last_login_at FROM users WHERE portal_id = @portal ORDER BY id
            """, ("@portal", portalId)))
        {
            int id = reader.GetOrdinal("id"), name = reader.GetOrdinal("name"), lastName = reader.GetOrdinal("last_name"), email = reader.GetOrdinal("email"),
                admin = reader.GetOrdinal("is_admin"), active = reader.GetOrdinal("is_active"), registered = reader.GetOrdinal("registered_at"), login = reader.GetOrdinal("last_login_at");
            while (await reader.ReadAsync(session.Cancellation))
            {
                json.WriteStartObject();
                json.WriteNumber("id", reader.GetInt64(id));
                json.WriteString("name", reader.GetString(name));
                json.WriteString("lastName", reader.GetString(lastName));
                json.WriteString("email", reader.GetString(email));
                json.WriteBoolean("admin", reader.GetBoolean(admin));
                json.WriteBoolean("active", reader.GetBoolean(active));
                WriteTime(json, "registered", reader, registered);
                WriteTime(json, "lastLogin", reader, login);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();

        json.WriteStartArray("webhooks");
        await using (var reader = await session.ReaderAsync("""
            SELECT id, user_id, secret_hash, scopes, title, active, expires_at, created_at FROM webhooks WHERE portal_id = @portal ORDER BY id
            """, ("@portal", portalId)))
        {
            int id = reader.GetOrdinal("id"), user = reader.GetOrdinal("user_id"), hash = reader.GetOrdinal("secret_hash"), scopes = reader.GetOrdinal("scopes"),
                title = reader.GetOrdinal("title"), active = reader.GetOrdinal("active"), expires = reader.GetOrdinal("expires_at"), created = reader.GetOrdinal("created_at");
            while (await reader.ReadAsync(session.Cancellation))
            {
                json.WriteStartObject();
                json.WriteNumber("id", reader.GetInt64(id));
                json.WriteNumber("user", reader.GetInt64(user));
                json.WriteString("secretSha256", Convert.ToHexStringLower((byte[])reader.GetValue(hash)));
                WriteScopes(json, reader.GetString(scopes));
                json.WriteString("title", reader.GetString(title));
                json.WriteBoolean("active", reader.GetBoolean(active));
                WriteTime(json, "expires", reader, expires);
                WriteTime(json, "created", reader, created);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();

        var appUsers = new Dictionary<long, List<long>>();
        await using (var reader = await session.ReaderAsync("""
            SELECT u.app_id, u.user_id FROM oauth_app_users u JOIN oauth_apps a ON a.id = u.app_id WHERE a.portal_id = @portal ORDER BY u.app_id, u.user_id
            """, ("@portal", portalId)))
        {
            int app = reader.GetOrdinal("app_id"), user = reader.GetOrdinal("user_id");
            while (await reader.ReadAsync(session.Cancellation))
            {
                if (!appUsers.TryGetValue(reader.GetInt64(app), out var list)) appUsers[reader.GetInt64(app)] = list = [];
                list.Add(reader.GetInt64(user));
            }
        }
        json.WriteStartArray("apps");
        await using (var reader = await session.ReaderAsync("""
            SELECT id, client_id, secret_hash, signing_key, name, code, version, active, scopes, redirect_uri FROM oauth_apps WHERE portal_id = @portal ORDER BY id
            """, ("@portal", portalId)))
        {
            int idAt = reader.GetOrdinal("id"), client = reader.GetOrdinal("client_id"), hash = reader.GetOrdinal("secret_hash"), key = reader.GetOrdinal("signing_key"),
                name = reader.GetOrdinal("name"), code = reader.GetOrdinal("code"), version = reader.GetOrdinal("version"), active = reader.GetOrdinal("active"),
                scopes = reader.GetOrdinal("scopes"), redirect = reader.GetOrdinal("redirect_uri");
            while (await reader.ReadAsync(session.Cancellation))
            {
                var id = reader.GetInt64(idAt);
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("clientId", reader.GetString(client));
                json.WriteString("clientSecretSha256", Convert.ToHexStringLower((byte[])reader.GetValue(hash)));
                if (reader.IsDBNull(key)) json.WriteNull("signingKey");
                else json.WriteString("signingKey", reader.GetString(key));
                json.WriteString("name", reader.GetString(name));
                json.WriteString("code", reader.GetString(code));
                json.WriteNumber("version", reader.GetInt32(version));
                json.WriteBoolean("active", reader.GetBoolean(active));
                WriteScopes(json, reader.GetString(scopes));
                json.WriteString("redirectUri", reader.GetString(redirect));
                json.WriteStartArray("users");
                foreach (var user in appUsers.GetValueOrDefault(id) ?? []) json.WriteNumberValue(user);
                json.WriteEndArray();
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }

    private static void WriteScopes(Utf8JsonWriter json, string stored)
    {
        json.WriteStartArray("scopes");
        foreach (var scope in stored.Split(',', StringSplitOptions.RemoveEmptyEntries)) json.WriteStringValue(scope);
        json.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DbDataReader reader, int at)
    {
        if (reader.IsDBNull(at)) json.WriteNull(name);
        else json.WriteString(name, StateReader.FormatTime(StoredTime.ToTime(reader.GetInt64(at))));
    }
}
