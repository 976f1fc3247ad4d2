using System.Data.Common;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using B24Mail.Storage.Identity;

namespace B24Mail.Storage.State;

/// <summary>
/// The whole state as one document (README, "State document"): reads and checks a document, replaces the stored
/// state with it, exports the stored state, and keeps the baseline that a reset returns to. Each of these is one
/// transaction of the database, so a client sees the state before or after it and never a part of either;
/// on PostgreSQL the tables are locked against other writers for its length, and reads go on. The baseline is
/// kept in the database, as each portal's exported object, so every node and command resets to the same state.
/// </summary>
public sealed class StateStore(IDatabase database, IdentityState identity, IEnumerable<IStateSection> sections, TimeProvider time)
{
    public const int Version = 1;

    private static readonly string[] TopKeys = ["version", "portals"];

    private static readonly Migration[] History =
    [
        new(1, """
            CREATE TABLE state_baseline (position INTEGER NOT NULL PRIMARY KEY, code TEXT NOT NULL UNIQUE, portal TEXT NOT NULL);
            CREATE TABLE state_meta (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
            """),
    ];

    private readonly IStateSection[] _sections = sections.ToArray();

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The baseline as last read back, under the token its save wrote: a reset then only reads the token, not the
    /// portals' documents (a portal of 1,000 services is 400 KB of JSON). The parsed portals are immutable.
    /// </summary>
    private sealed record BaselineCache(string Token, Dictionary<string, StatePortal> ByCode, List<StatePortal>? All);

    private volatile BaselineCache? _baseline;

    private IReadOnlyCollection<string> PortalKeys => [.. identity.Keys, .. _sections.SelectMany(s => s.Keys)];

    public Task MigrateAsync() => Schema.MigrateAsync(database, "state", History);

    // ---- reading ---------------------------------------------------------------------------------------

    /// <summary>
    /// Reads and checks a whole document; throws <see cref="StateDocumentException"/> with every problem found.
    /// <paramref name="folder"/> is where file paths in it start; null (over the API) refuses file paths.
    /// </summary>
    public StateDocument Read(ReadOnlyMemory<byte> utf8, string? folder)
    {
        using var document = Parse(utf8);
        var reader = new StateReader(folder, time.GetUtcNow());
        var portals = new List<StatePortal>();
        if (reader.Object(document.RootElement, "$", TopKeys) is { } top)
        {
            if (top.Integer("version", 1, long.MaxValue, required: true) is { } version && version != Version)
            {
                reader.Error(top.PathOf("version"), $"must be {Version}: this server reads documents of version {Version}");
            }
            if (!top.Has("portals")) reader.Error(top.PathOf("portals"), "is required (an empty list removes every portal)");
            foreach (var (item, path) in top.Items("portals"))
            {
                if (ReadPortal(reader, item, path) is { } portal) portals.Add(portal);
            }
        }
        if (reader.HasErrors) throw new StateDocumentException(reader.Errors);
        return new StateDocument(portals);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException exception)
        {
            throw new StateDocumentException([new StateError("$", "is not a JSON document: " + exception.Message)]);
        }
    }

    private StatePortal? ReadPortal(StateReader reader, JsonElement item, string path)
    {
        if (reader.Object(item, path, PortalKeys) is not { } portal) return null;
        var identityPart = identity.Read(portal) as IdentityState.PortalPart;
        var parts = new object?[_sections.Length];
        for (var i = 0; i < _sections.Length; i++) parts[i] = _sections[i].Read(portal);
        return identityPart is not null && parts.All(p => p is not null) ? new StatePortal(identityPart, parts!) : null;
    }

    // ---- writing ----------------------------------------------------------------------------------------

    /// <summary>
    /// Replaces the whole state with <paramref name="document"/>: portals it does not name are removed, those it
    /// names are written as it says (a kept portal keeps its internal ID), and the result becomes the baseline.
    /// With <paramref name="onlyFirst"/> nothing is done, and false returned, if a baseline exists already (a
    /// seed is applied by the first start only, however many nodes start at once).
    /// </summary>
    public async Task<bool> ReplaceAsync(StateDocument document, bool onlyFirst = false)
    {
        var (applied, _) = await WriteAsync<bool>(changes => async session =>
        {
            if (onlyFirst && await IsBaselineTakenAsync(session)) return false;
            await PutAllAsync(session, document.Portals, changes);
            await SaveBaselineAsync(session, FromDocument);
            return true;
        });
        return applied;
    }

    /// <summary>
    /// Returns every portal to the baseline, removing those added since (<paramref name="code"/> null), or one portal
    /// with only its own rows. Null when <paramref name="code"/> names no portal; an outcome with nothing reset when
    /// the portal exists but the baseline does not hold it (it was added later: a whole reset removes it).
    /// </summary>
    public async Task<ResetOutcome?> ResetAsync(string? code)
    {
        var (outcome, _) = await WriteAsync<ResetOutcome?>(changes => async session =>
        {
            // Without a baseline (a data folder that never had its first start) there is nothing to return to.
            if (!await IsBaselineTakenAsync(session)) throw new InvalidOperationException("There is no baseline to reset to: the server has not had its first start.");
            var baseline = await LoadBaselineAsync(session, code);
            if (code is not null)
            {
                var ids = (await IdentityState.ListPortalsAsync(session)).ToDictionary(p => p.Code, p => p.Id, StringComparer.Ordinal);
                if (baseline.Count == 0) return ids.ContainsKey(code) ? new ResetOutcome([], [], []) : null;
                var portal = baseline[0];
                long? id = ids.TryGetValue(code, out var found) ? found : null;
                if (id is { } current) await ClearAsync(session, current, changes);
                await PutAsync(session, portal, id, changes);
                await FinishAsync(session, whole: false);
                return new ResetOutcome([code], [], changes.LimitPrefixes);
            }
            var removed = await PutAllAsync(session, baseline, changes);
            return new ResetOutcome(baseline.Select(p => p.Identity.Code).ToList(), removed, null);
        });
        return outcome;
    }

    /// <summary>Where the baseline came from: <see cref="FromFirstStart"/> or <see cref="FromDocument"/>; null before there is one.</summary>
    public const string FromFirstStart = "first start";

    public const string FromDocument = "document";

    /// <summary>
    /// The end of a first start without a seed: takes the present state as the baseline, unless one was taken. Then
    /// (another node started first) <paramref name="webhookId"/>, this node's own bootstrap webhook of portal
    /// <paramref name="code"/>, is added to it, so a reset keeps every node's printed URL working.
    /// </summary>
    public async Task CaptureBaselineAsync(string code, long? webhookId)
    {
        await WriteAsync<bool>(_ => async session =>
        {
            if (!await IsBaselineTakenAsync(session))
            {
                await SaveBaselineAsync(session, FromFirstStart);
                return true;
            }
            if (webhookId is { } id) await IncludeWebhookAsync(session, code, id);
            return false;
        });
    }

    public Task<bool> HasBaselineAsync() => database.ReadAsync(IsBaselineTakenAsync);

    public Task<string?> BaselineSourceAsync() => database.ReadAsync(async session =>
        await IsBaselineTakenAsync(session) ? await session.ScalarAsync("SELECT value FROM state_meta WHERE name = 'source'") as string ?? FromFirstStart : null);

    /// <summary>Adds one webhook, as it is now, to the portal's baseline, unless the baseline has it.</summary>
    private async ValueTask IncludeWebhookAsync(IDbSession session, string code, long webhookId)
    {
        if (await session.ScalarAsync("SELECT portal FROM state_baseline WHERE code = @code", ("@code", code)) is not string stored) return;
        var baseline = JsonNode.Parse(stored)!.AsObject();
        var hooks = baseline["webhooks"]!.AsArray();
        if (hooks.Any(h => (long)h!["id"]! == webhookId)) return;
        if ((await IdentityState.ListPortalsAsync(session)).FirstOrDefault(p => p.Code == code) is not { Id: > 0 } portal) return;
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Compact)) await ExportPortalAsync(session, portal.Id, json);
        var now = JsonNode.Parse(buffer.ToArray())!;
        if (now["webhooks"]!.AsArray().FirstOrDefault(h => (long)h!["id"]! == webhookId) is not { } hook) return;
        var at = hooks.TakeWhile(h => (long)h!["id"]! < webhookId).Count();
        hooks.Insert(at, hook.DeepClone());
        await session.ExecuteAsync("UPDATE state_baseline SET portal = @portal WHERE code = @code", ("@portal", baseline.ToJsonString()), ("@code", code));
        await NewTokenAsync(session);
    }

    /// <summary>
    /// Runs one state transaction: every table locked first (PostgreSQL), then <paramref name="write"/>; what it
    /// did outside the database is finished after the commit, or undone if there was none. PostgreSQL may end a
    /// transaction that deadlocked with another writer; it is tried again.
    /// </summary>
    private async Task<(T Result, StateChanges Changes)> WriteAsync<T>(Func<StateChanges, Func<IDbSession, ValueTask<T>>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            var changes = new StateChanges();
            var run = write(changes);
            T result;
            try
            {
                result = await database.WriteAsync(async session =>
                {
                    await LockAsync(session);
                    return await run(session);
                });
            }
            catch (DbException exception) when (attempt < 4 && exception.SqlState is "40P01" or "40001")
            {
                changes.Complete(committed: false);
                continue;
            }
            catch
            {
                changes.Complete(committed: false);
                throw;
            }
            changes.Complete(committed: true);
            return (result, changes);
        }
    }

    private async ValueTask LockAsync(IDbSession session)
    {
        if (database.Dialect == SqlDialect.Postgres) await session.ExecuteAsync("LOCK TABLE state_baseline, state_meta IN SHARE ROW EXCLUSIVE MODE");
        await identity.LockAsync(session);
        foreach (var section in _sections) await section.LockAsync(session);
    }

    /// <summary>
    /// Makes the stored portals exactly <paramref name="portals"/>: those not named are removed, the others written
    /// (a kept portal keeps its internal ID, which rows, files and limit keys carry). Returns the removed codes.
    /// </summary>
    private async ValueTask<List<string>> PutAllAsync(IDbSession session, IReadOnlyList<StatePortal> portals, StateChanges changes)
    {
        changes.LimitPrefixes = null;
        var existing = await IdentityState.ListPortalsAsync(session);
        // Every row goes first: a document may give a webhook, client or logo key that another portal holds now.
        foreach (var (id, _) in existing) await ClearAsync(session, id, changes);
        var named = portals.Select(p => p.Identity.Code).ToHashSet(StringComparer.Ordinal);
        var removed = existing.Where(p => !named.Contains(p.Code)).ToList();
        foreach (var (id, _) in removed) await IdentityState.DeletePortalAsync(session, id);
        await IdentityState.ReleaseMemberIdsAsync(session);
        var ids = existing.ToDictionary(p => p.Code, p => p.Id, StringComparer.Ordinal);
        foreach (var portal in portals) await PutAsync(session, portal, ids.TryGetValue(portal.Identity.Code, out var id) ? id : null, changes);
        await FinishAsync(session, whole: true);
        return removed.Select(p => p.Code).ToList();
    }

    private async ValueTask ClearAsync(IDbSession session, long portalId, StateChanges changes)
    {
        foreach (var section in _sections) await section.WriteAsync(session, portalId, null, changes);
        await identity.WriteAsync(session, portalId, null, changes);
    }

    private async ValueTask PutAsync(IDbSession session, StatePortal portal, long? existingId, StateChanges changes)
    {
        var id = await IdentityState.PutPortalAsync(session, portal.Identity, existingId);
        await identity.WriteAsync(session, id, portal.Identity, changes);
        for (var i = 0; i < _sections.Length; i++) await _sections[i].WriteAsync(session, id, portal.Parts[i], changes);
    }

    private async ValueTask FinishAsync(IDbSession session, bool whole)
    {
        await identity.FinishAsync(session, whole);
        foreach (var section in _sections) await section.FinishAsync(session, whole);
    }

    // ---- baseline -----------------------------------------------------------------------------------------

    private static async ValueTask<bool> IsBaselineTakenAsync(IDbSession session) => await session.ScalarAsync("SELECT 1 FROM state_meta WHERE name = 'baseline'") is not null;

    /// <summary>The baseline is what an export gives right now, portal by portal, so a reset writes back exactly the exported state.</summary>
    private async ValueTask SaveBaselineAsync(IDbSession session, string source)
    {
        await session.ExecuteAsync("DELETE FROM state_baseline");
        var position = 0;
        foreach (var (id, code) in await IdentityState.ListPortalsAsync(session))
        {
            var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, Compact)) await ExportPortalAsync(session, id, json);
            await session.ExecuteAsync("INSERT INTO state_baseline (position, code, portal) VALUES (@position, @code, @portal)",
                ("@position", position++), ("@code", code), ("@portal", System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)));
        }
        await session.ExecuteAsync("INSERT INTO state_meta (name, value) VALUES ('source', @source) ON CONFLICT (name) DO UPDATE SET value = excluded.value", ("@source", source));
        await NewTokenAsync(session);
    }

    // A new token each time the baseline changes: a node that read the baseline before reads it again.
    private async ValueTask NewTokenAsync(IDbSession session) =>
        await session.ExecuteAsync("INSERT INTO state_meta (name, value) VALUES ('baseline', @token) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            ("@token", StateReader.FormatTime(time.GetUtcNow()) + " " + System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true)));

    private async ValueTask<List<StatePortal>> LoadBaselineAsync(IDbSession session, string? code)
    {
        var token = (string)(await session.ScalarAsync("SELECT value FROM state_meta WHERE name = 'baseline'"))!;
        var cache = _baseline is { } cached && cached.Token == token ? cached : new BaselineCache(token, new Dictionary<string, StatePortal>(StringComparer.Ordinal), null);
        if (code is null && cache.All is { } all) return all;
        if (code is not null && cache.ByCode.TryGetValue(code, out var one)) return [one];
        var portals = await ReadBaselineAsync(session, code);
        if (code is null) cache = cache with { All = portals };
        foreach (var portal in portals) cache.ByCode[portal.Identity.Code] = portal;
        _baseline = cache;
        return portals;
    }

    private async ValueTask<List<StatePortal>> ReadBaselineAsync(IDbSession session, string? code)
    {
        var rows = new List<string>();
        await using (var reader = code is null
            ? await session.ReaderAsync("SELECT portal FROM state_baseline ORDER BY position")
            : await session.ReaderAsync("SELECT portal FROM state_baseline WHERE code = @code", ("@code", code)))
        {
            var portal = reader.GetOrdinal("portal");
            while (await reader.ReadAsync(session.Cancellation)) rows.Add(reader.GetString(portal));
        }
        var state = new StateReader(null, time.GetUtcNow());
        var portals = new List<StatePortal>();
        for (var i = 0; i < rows.Count; i++)
        {
            using var document = Parse(System.Text.Encoding.UTF8.GetBytes(rows[i]));
            if (ReadPortal(state, document.RootElement, $"$.portals[{i}]") is { } portal) portals.Add(portal);
        }
        // The rows were exported by this server; one it cannot read back is a fault of the server, not of a client.
        if (state.HasErrors) throw new InvalidOperationException("The stored baseline does not read back: " + new StateDocumentException(state.Errors).Message);
        return portals;
    }

    // ---- export -----------------------------------------------------------------------------------------------

    /// <summary>The stored state as a document (UTF-8 JSON, indented), read in one transaction.</summary>
    public Task<byte[]> ExportAsync() => database.WriteAsync(async session =>
    {
        // One snapshot for every statement: PostgreSQL's default isolation takes a new one per statement.
        if (database.Dialect == SqlDialect.Postgres) await session.ExecuteAsync("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteStartArray("portals");
            foreach (var (id, _) in await IdentityState.ListPortalsAsync(session)) await ExportPortalAsync(session, id, json);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    });

    private async ValueTask ExportPortalAsync(IDbSession session, long portalId, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        await identity.ExportAsync(session, portalId, json);
        foreach (var section in _sections) await section.ExportAsync(session, portalId, json);
        json.WriteEndObject();
    }
}
