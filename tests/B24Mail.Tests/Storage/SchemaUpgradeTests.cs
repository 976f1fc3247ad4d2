using System.Net;
using System.Text.Json;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Identity;
using ServerClock = B24Mail.Server.ControlPlane.Clock;
using B24Mail.Server.ControlPlane.Faults;
using B24Mail.Storage;
using B24Mail.Storage.Identity;
using B24Mail.Storage.Limits;
using B24Mail.Storage.Postgres;
using B24Mail.Storage.Sqlite;
using B24Mail.Storage.State;
using B24Mail.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.Storage;

/// <summary>
/// A SQLite data folder and a PostgreSQL database made by main at 61191d6 (Fixtures/make-fixtures.sh), when each
/// dialect had its own list of migrations and users and webhooks kept Unix seconds, upgrade in place: every row
/// is kept, times become milliseconds, the old credentials still work, and a second start changes nothing.
/// </summary>
public sealed class SchemaUpgradeTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures");

    // The manual clock of the fixture run: every row it wrote by command carries this time.
    private static readonly DateTimeOffset FixtureTime = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Tables =
    [
        "portals", "users", "webhooks", "oauth_apps", "oauth_app_users", "oauth_codes", "oauth_tokens", "mail_icons", "mail_services",
        "mail_presets_seeded", "state_baseline", "state_meta", "fault_rules", "manual_clock",
    ];

    // Tables only the PostgreSQL server fills: logos in the database, limits shared by nodes.
    private static readonly string[] PostgresTables = ["icon_blobs", "rate_buckets", "operating_baskets"];

    // The columns that held Unix seconds; every other column must come through unchanged.
    private static readonly Dictionary<(string Table, string Column), Func<object?, object?>> Converted = new()
    {
        [("users", "registered_at")] = Times1000,
        [("users", "last_login_at")] = Times1000,
        [("webhooks", "expires_at")] = Times1000,
        [("webhooks", "created_at")] = Times1000,
        [("rate_buckets", "updated_ticks")] = ticks => TicksToMs(ticks, up: false),
        [("rate_buckets", "empty_ticks")] = ticks => TicksToMs(ticks, up: true),
        [("operating_baskets", "start_ticks")] = ticks => TicksToMs(ticks, up: false),
    };

    private static readonly Dictionary<string, string> Renamed = new() { ["updated_ticks"] = "updated_ms", ["empty_ticks"] = "empty_ms", ["start_ticks"] = "start_ms" };

    private static object? Times1000(object? seconds) => seconds is null ? null : Convert.ToInt64(seconds) * 1000;

    private static object? TicksToMs(object? ticks, bool up) => ticks is null ? null
        : new DateTimeOffset(Convert.ToInt64(ticks) + (up ? TimeSpan.TicksPerMillisecond - 1 : 0), TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task A_sqlite_data_folder_from_61191d6_upgrades_in_place()
    {
        var dataDir = LiveServer.NewDataDir();
        Directory.CreateDirectory(dataDir);
        File.Copy(Path.Combine(Fixtures, "sqlite-61191d6.db"), Path.Combine(dataDir, "b24mail.db"));
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "sqlite-61191d6-portals"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dataDir, "portals", Path.GetRelativePath(Path.Combine(Fixtures, "sqlite-61191d6-portals"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        // Settings of its own, so the PostgreSQL run of the suite does not give this folder a database.
        await File.WriteAllTextAsync(Path.Combine(dataDir, "b24mail.json"), "{}");
        await using (var database = new SqliteDatabase(Path.Combine(dataDir, "b24mail.db")))
        {
            await CheckUpgradeAsync(database, Tables, expectedLimits: null);
        }
        await CheckServerAsync(dataDir, "sqlite");
    }

    [Fact]
    public async Task A_postgres_database_from_61191d6_upgrades_in_place()
    {
        var connection = await PostgresTestDatabase.CreateAsync();
        try
        {
            // The dump empties search_path for its session; ExecuteAsync's connection is not pooled, so the stores never see that.
            await PostgresTestDatabase.ExecuteAsync(connection, await File.ReadAllTextAsync(Path.Combine(Fixtures, "postgres-61191d6.sql")));
            await using (var database = new PostgresDatabase(connection))
            {
                Assert.Equal(4, await VersionAsync(database, "identity"));
                await CheckUpgradeAsync(database, [.. Tables, .. PostgresTables], expectedLimits: 3);
            }
            var dataDir = LiveServer.NewDataDir();
            Directory.CreateDirectory(dataDir);
            await File.WriteAllTextAsync(Path.Combine(dataDir, "b24mail.json"), JsonSerializer.Serialize(new { Postgres = connection }));
            await CheckServerAsync(dataDir, "postgres");
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(connection);
        }
    }

    [Fact]
    public async Task A_fresh_database_gets_the_same_versions_and_columns_on_both_dialects()
    {
        var connection = await PostgresTestDatabase.CreateAsync();
        try
        {
            var folder = LiveServer.NewDataDir();
            Directory.CreateDirectory(folder);
            await using var sqlite = new SqliteDatabase(Path.Combine(folder, "fresh.db"));
            await using var postgres = new PostgresDatabase(connection);
            await MigrateAllAsync(sqlite, withLimits: true);
            await MigrateAllAsync(postgres, withLimits: true);
            var versions = await ReadVersionsAsync(sqlite);
            Assert.Equal(versions, await ReadVersionsAsync(postgres));
            Assert.Equal(9, versions["identity"]);
            foreach (var table in Tables.Concat(PostgresTables))
            {
                Assert.Equal(await ColumnsAsync(sqlite, table), await ColumnsAsync(postgres, table));
            }
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(connection);
        }
    }

    /// <summary>Migrates the fixture and compares every row with what it held before; migrating again changes nothing.</summary>
    private static async Task CheckUpgradeAsync(IDatabase database, string[] tables, int? expectedLimits)
    {
        var before = new Dictionary<string, List<Dictionary<string, object?>>>();
        foreach (var table in tables) before[table] = await ReadTableAsync(database, table);
        foreach (var table in tables) Assert.NotEmpty(before[table]);

        await MigrateAllAsync(database, withLimits: expectedLimits is not null);

        var expectedVersions = new Dictionary<string, int> { ["identity"] = 9, ["mailservice"] = 3, ["state"] = 1, ["faults"] = 1, ["clock"] = 1 };
        if (expectedLimits is { } limits) expectedVersions["limits"] = limits;
        Assert.Equal(expectedVersions.OrderBy(v => v.Key), (await ReadVersionsAsync(database)).OrderBy(v => v.Key));
        Assert.All(await ReadTableAsync(database, "schema_versions"), row => Assert.Equal(Schema.Shared, Convert.ToInt32(row["numbering"])));

        var after = new Dictionary<string, List<Dictionary<string, object?>>>();
        foreach (var table in tables)
        {
            after[table] = await ReadTableAsync(database, table);
            Assert.Equal(before[table].Count, after[table].Count);
            for (var i = 0; i < before[table].Count; i++)
            {
                foreach (var (column, old) in before[table][i])
                {
                    var expected = Converted.TryGetValue((table, column), out var convert) ? convert(old) : old;
                    Assert.True(Equal(expected, after[table][i][Renamed.GetValueOrDefault(column, column)]), $"{table}.{column} row {i}: {old} became {after[table][i][Renamed.GetValueOrDefault(column, column)]}, expected {expected}");
                }
            }
        }

        // The stores read the converted times as the times the old server meant.
        var identity = new SqlIdentityStore(database, TimeProvider.System);
        var portal = (await identity.FindPortalAsync("second"))!;
        Assert.Equal(("ent10000", "de", 10.0), (portal.LicenseType, portal.Language, portal.RateLimit!.Burst));
        var carol = (await identity.FindUserAsync(portal.Id, 2))!;
        Assert.Equal(("Carol", FixtureTime), (carol.Name, carol.RegisteredAt));
        var bob = (await identity.FindUserAsync((await identity.FindPortalAsync("default"))!.Id, 2))!;
        Assert.Equal((FixtureTime, FixtureTime), (bob.RegisteredAt, bob.LastLoginAt));

        // A second start finds nothing to do: not one row changes.
        await MigrateAllAsync(database, withLimits: expectedLimits is not null);
        foreach (var table in tables.Append("schema_versions"))
        {
            var again = await ReadTableAsync(database, table);
            if (after.TryGetValue(table, out var first)) Assert.Equal(Render(first), Render(again));
        }
    }

    /// <summary>The real server on the upgraded store: the old webhooks and token authenticate, and the webhook's expiry is where it was.</summary>
    private static async Task CheckServerAsync(string dataDir, string fixture)
    {
        using var credentials = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Fixtures, fixture + "-61191d6.json")));
        var root = credentials.RootElement;
        // The fixture's clock stood at FixtureTime + 90 s when it was made; the server reads it back.
        await using var server = await LiveServer.StartAsync(dataDir, ["--clock", "manual"]);
        string Url(string name) => server.HttpsBase + new Uri(root.GetProperty(name).GetString()!).AbsolutePath;

        var bob = await server.GetAsync(Url("bobWebhook") + "user.current");
        Assert.True(bob.Status == HttpStatusCode.OK, bob.Raw);
        Assert.Equal("2", bob.Result.GetProperty("ID").GetString());
        var second = await server.GetAsync(Url("secondWebhook") + "mailservice.list");
        Assert.Contains("Second IMAP", second.Raw);
        var withLogo = await server.GetAsync(Url("bootstrapWebhook") + "mailservice.list");
        Assert.Contains("With logo", withLogo.Raw);
        var access = root.GetProperty("tokens").GetProperty("access_token").GetString();
        var app = await server.GetAsync($"{server.HttpsBase}/rest/user.current?auth={access}");
        Assert.True(app.Status == HttpStatusCode.OK, app.Raw);
        Assert.Equal("1", app.Result.GetProperty("ID").GetString());

        // Bob's webhook was made at FixtureTime to live a day: a second before its end it works, at its end it does not.
        var clock = server.Services.GetRequiredService<ServerClock.ManualClock>();
        clock.Set(FixtureTime.AddDays(1).AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(Url("bobWebhook") + "user.current")).Status);
        clock.Set(FixtureTime.AddDays(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync(Url("bobWebhook") + "user.current")).Status);
    }

    private static async Task MigrateAllAsync(IDatabase database, bool withLimits)
    {
        // The order of B24MailHost.MigrateAsync: the mail services' marker reads the identity tables.
        await new SqlIdentityStore(database, TimeProvider.System).MigrateAsync();
        await new SqlMailServiceStore(database).MigrateAsync();
        if (withLimits) await new SqlLimitStore(database).MigrateAsync();
        await new StateStore(database, new IdentityState(database), [], TimeProvider.System).MigrateAsync();
        await new FaultStore(database).MigrateAsync();
        await new ServerClock.ManualClockStore(database, new ServerClock.ManualClock()).MigrateAsync();
    }

    private static Task<int> VersionAsync(IDatabase database, string module) =>
        database.ReadAsync(async session => Convert.ToInt32(await session.ScalarAsync("SELECT version FROM schema_versions WHERE module = @m", ("@m", module))));

    private static async Task<Dictionary<string, int>> ReadVersionsAsync(IDatabase database) =>
        (await ReadTableAsync(database, "schema_versions")).ToDictionary(row => (string)row["module"]!, row => Convert.ToInt32(row["version"]));

    private static Task<List<string>> ColumnsAsync(IDatabase database, string table) => database.ReadAsync(async session =>
    {
        await using var reader = await session.ReaderAsync($"SELECT * FROM {table} LIMIT 0");
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
    });

    /// <summary>Every row, in the order of its first columns, each as column name to value (NULL as null).</summary>
    private static Task<List<Dictionary<string, object?>>> ReadTableAsync(IDatabase database, string table) => database.ReadAsync(async session =>
    {
        var rows = new List<Dictionary<string, object?>>();
        int width;
        await using (var shape = await session.ReaderAsync($"SELECT * FROM {table} LIMIT 0")) width = shape.FieldCount;
        await using var reader = await session.ReaderAsync($"SELECT * FROM {table} ORDER BY {(width > 1 ? "1, 2" : "1")}");
        while (await reader.ReadAsync(session.Cancellation))
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    });

    private static bool Equal(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (long or int, long or int) => Convert.ToInt64(expected) == Convert.ToInt64(actual),
        _ => Equals(expected, actual),
    };

    private static List<string> Render(List<Dictionary<string, object?>> rows) =>
        rows.Select(row => string.Join("|", row.Select(c => c.Key + "=" + (c.Value is byte[] b ? Convert.ToHexString(b) : Convert.ToString(c.Value, System.Globalization.CultureInfo.InvariantCulture))))).ToList();
}
