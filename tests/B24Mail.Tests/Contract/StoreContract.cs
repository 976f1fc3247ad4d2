using System.Data.Common;
using B24Mail.MailServices;
using B24Mail.MailServices.Icons;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Limits;
using B24Mail.Storage;
using B24Mail.Storage.Identity;
using B24Mail.Storage.Limits;

namespace B24Mail.Tests.Contract;

/// <summary>
/// One contract, every store: the same tests run against SQLite and PostgreSQL, including the writes that
/// must stay exact when many happen at once (codes, refresh tokens, user IDs, rate buckets).
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    private IDatabase _database = null!;

    protected SqlIdentityStore Identity { get; private set; } = null!;
    protected SqlOAuthStore OAuth { get; private set; } = null!;
    protected SqlMailServiceStore Mail { get; private set; } = null!;
    protected SqlLimitStore Limits { get; private set; } = null!;

    protected abstract Task<IDatabase> OpenAsync();

    public async ValueTask InitializeAsync()
    {
        _database = await OpenAsync();
        Identity = new SqlIdentityStore(_database, TimeProvider.System);
        OAuth = new SqlOAuthStore(_database);
        Mail = new SqlMailServiceStore(_database);
        Limits = new SqlLimitStore(_database);
        // Several starts at once, as two nodes would: the schema is made once and nothing fails.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await Identity.MigrateAsync();
            await Mail.MigrateAsync();
            await Limits.MigrateAsync();
        }));
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private static byte[] Hash(string s) => Secrets.Hash(s);

    private Task<Portal> PortalAsync(string code) => Identity.AddPortalAsync(code, Guid.NewGuid().ToString("N"), code + ".Example", "s1", "Admin", "admin@" + code);

    [Fact]
    public async Task Portals_users_and_webhooks_round_trip()
    {
        var portal = await PortalAsync("one");
        Assert.Equal(portal, await Identity.FindPortalAsync("one"));
        Assert.Equal(portal.Id, (await Identity.FindPortalByDomainAsync("ONE.example"))!.Id);
        Assert.Null(await Identity.FindPortalAsync("none"));
        var admin = await Identity.FindUserAsync(portal.Id, 1);
        Assert.True(admin!.IsAdmin && admin.IsActive);

        var user = await Identity.AddUserAsync(portal.Id, "Ada", "Lovelace", "ada@example", isAdmin: false);
        Assert.Equal(2, user.Id);
        var hookId = await Identity.AddWebhookAsync(portal.Id, user.Id, Hash("s1"), ["mailservice", "user"], "t", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var grant = await Identity.FindWebhookAsync(Hash("s1"), "one.example");
        Assert.Equal(hookId, grant!.Id);
        Assert.Equal(portal.Id, grant.HostPortalId);
        Assert.Equal(user.Id, grant.User.Id);
        Assert.Equal(["mailservice", "user"], grant.Scopes.Order());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), grant.ExpiresAt);
        Assert.Null((await Identity.FindWebhookAsync(Hash("s1"), "elsewhere"))!.HostPortalId);
        Assert.Null(await Identity.FindWebhookAsync(Hash("s2"), "one.example"));

        Assert.True(await Identity.SetWebhookActiveAsync(portal.Id, hookId, false));
        Assert.False((await Identity.FindWebhookAsync(Hash("s1"), "x"))!.Active);
        Assert.True(await Identity.SetUserActiveAsync(portal.Id, user.Id, false));
        Assert.False((await Identity.FindUserAsync(portal.Id, user.Id))!.IsActive);
        Assert.Single(await Identity.ListWebhooksAsync(portal.Id));
        Assert.True(await Identity.RemoveWebhookAsync(portal.Id, hookId));
        Assert.Null(await Identity.FindWebhookAsync(Hash("s1"), "x"));

        await Identity.SetPortalRateLimitAsync(portal.Id, new RateLimit(true, 7, 0.5));
        Assert.Equal(new RateLimit(true, 7, 0.5), (await Identity.FindPortalAsync("one"))!.RateLimit);
        await Identity.SetPortalRateLimitAsync(portal.Id, null);
        Assert.Null((await Identity.FindPortalAsync("one"))!.RateLimit);
    }

    [Fact]
    public async Task Parallel_user_adds_get_distinct_ids_counted_per_portal()
    {
        var a = await PortalAsync("pa");
        var b = await PortalAsync("pb");
        var users = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Identity.AddUserAsync(i % 2 == 0 ? a.Id : b.Id, "u" + i, "", "", false)));
        Assert.Equal(Enumerable.Range(2, 10).Select(i => (long)i), users.Where(u => u.PortalId == a.Id).Select(u => u.Id).Order());
        Assert.Equal(Enumerable.Range(2, 10).Select(i => (long)i), users.Where(u => u.PortalId == b.Id).Select(u => u.Id).Order());
    }

    [Fact]
    public async Task A_second_portal_with_the_same_code_is_refused_and_leaves_nothing()
    {
        await PortalAsync("dup");
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => PortalAsync("dup"));
        Assert.Single(await Identity.ListPortalsAsync(), p => p.Code == "dup");
    }

    [Fact]
    public async Task Presets_are_seeded_once_per_portal_and_not_again_after_every_service_is_deleted()
    {
        var portal = await PortalAsync("seeded");
        var cancel = TestContext.Current.CancellationToken;
        // Several starts at once, as two nodes would: one set of presets.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Mail.SeedAsync(portal.Id, "s1", MailServicePresets.All, cancel)));
        var presets = await Mail.ListActiveAsync(portal.Id, "s1", cancel);
        Assert.Equal(MailServicePresets.All.Count, presets.Count);
        foreach (var service in presets) await Mail.DeleteAsync(portal.Id, service.Id, cancel);
        await Mail.SeedAsync(portal.Id, "s1", MailServicePresets.All, cancel);
        Assert.Empty(await Mail.ListActiveAsync(portal.Id, "s1", cancel));
    }

    [Fact]
    public async Task Mail_services_round_trip_within_their_portal()
    {
        var portal = await PortalAsync("mail");
        var other = await PortalAsync("other");
        await Mail.SeedAsync(portal.Id, "s1", MailServicePresets.All);
        await Mail.SeedAsync(portal.Id, "s1", MailServicePresets.All);
        Assert.Equal(8, (await Mail.ListActiveAsync(portal.Id, "s1")).Count);

        var icon = new IconWrite.New(IconNames.NewKey(), "a.png", "image/png", 10);
        var id = await Mail.AddAsync(portal.Id, "s1", new MailServiceChanges { Name = "Zed", Sort = 5, Server = "imap.z", Port = Optional<long?>.Of(993), Encryption = true }, icon);
        var row = await Mail.GetAsync(portal.Id, id);
        Assert.Equal(("Zed", 5L, "imap.z", 993L, true, true), (row!.Name, row.Sort, row.Server, row.Port!.Value, row.Encryption, row.Active));
        Assert.Equal("a.png", row.Icon!.FileName);
        Assert.True(await Mail.IconExistsAsync(portal.Id, row.Icon.FileId));
        Assert.False(await Mail.IconExistsAsync(other.Id, row.Icon.FileId));
        Assert.Equal(icon.Key, (await Mail.FindIconAsync(row.Icon.FileId, icon.Key))!.Key);
        Assert.Equal("Zed", (await Mail.ListActiveAsync(portal.Id, "s1"))[0].Name);

        Assert.Null(await Mail.GetAsync(other.Id, id));
        Assert.False((await Mail.UpdateAsync(other.Id, id, new MailServiceChanges { Name = "x" }, null)).Found);
        Assert.False((await Mail.DeleteAsync(other.Id, id)).Found);
        await Assert.ThrowsAsync<UnknownIconException>(() => Mail.AddAsync(other.Id, "s1", new MailServiceChanges { Name = "steal" }, new IconWrite.Existing(row.Icon.FileId)));

        var update = await Mail.UpdateAsync(portal.Id, id, new MailServiceChanges { Active = false, Link = Optional<string?>.Of("https://z/") }, new IconWrite.Remove());
        Assert.True(update.Found);
        Assert.Equal(icon.Key, Assert.Single(update.Orphaned).Key);
        row = await Mail.GetAsync(portal.Id, id);
        Assert.Equal((false, "https://z/", (IconRef?)null, "Zed"), (row!.Active, row.Link, row.Icon, row.Name));
        Assert.Equal(8, (await Mail.ListActiveAsync(portal.Id, "s1")).Count);
        Assert.True((await Mail.DeleteAsync(portal.Id, id)).Found);
        Assert.Null(await Mail.GetAsync(portal.Id, id));
    }

    [Fact]
    public async Task List_orders_by_sort_then_name_by_code_point_then_id()
    {
        var portal = await PortalAsync("order");
        var ids = new List<long>();
        foreach (var (name, sort) in new[] { ("b", 1L), ("B", 1L), ("a", 1L), ("b", 1L), ("z", 0L) })
        {
            ids.Add(await Mail.AddAsync(portal.Id, "s1", new MailServiceChanges { Name = name, Sort = sort }, null));
        }
        Assert.Equal([ids[4], ids[1], ids[2], ids[0], ids[3]], (await Mail.ListActiveAsync(portal.Id, "s1")).Select(s => s.Id));
    }

    [Fact]
    public async Task A_code_is_exchanged_once_even_when_tried_in_parallel()
    {
        var portal = await PortalAsync("code");
        var app = await OAuth.AddAppAsync(portal.Id, Secrets.NewClientId(), Hash("secret"), "App", ["mailservice"], "https://a/", "local.app");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        await OAuth.SaveCodeAsync(Hash("code"), app.Id, portal.Id, 1, now.AddSeconds(30));
        var owners = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => OAuth.ExchangeCodeAsync(Hash("code"), app.Id, now, Tokens("a" + i, "r" + i, now))));
        Assert.Single(owners, o => o is not null);
        Assert.Equal(1, owners.Single(o => o is not null)!.User.Id);
    }

    [Fact]
    public async Task A_refresh_token_rotates_once_even_when_tried_in_parallel()
    {
        var portal = await PortalAsync("refresh");
        var app = await OAuth.AddAppAsync(portal.Id, Secrets.NewClientId(), Hash("secret"), "App", ["mailservice"], "https://a/", "local.app");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        await OAuth.SaveTokensAsync(app.Id, portal.Id, 1, ["mailservice"], Tokens("access0", "refresh0", now));
        var grant = await OAuth.FindAccessTokenAsync(Hash("access0"), "refresh.example");
        Assert.Equal((portal.Id, 1L, app.Id, portal.Id), (grant!.Portal.Id, grant.User.Id, grant.App.Id, grant.HostPortalId!.Value));
        var rotated = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => OAuth.RotateRefreshTokenAsync(Hash("refresh0"), app.Id, now, Tokens("access" + (i + 1), "refresh" + (i + 1), now))));
        Assert.Single(rotated, o => o is not null);
        Assert.Null(await OAuth.RotateRefreshTokenAsync(Hash("refresh0"), app.Id, now, Tokens("x", "y", now)));
        Assert.Null(await OAuth.RotateRefreshTokenAsync(Hash("refresh0"), app.Id + 1, now, Tokens("x2", "y2", now)));
    }

    [Fact]
    public async Task The_rate_bucket_stays_exact_under_parallel_takes()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Limits.TryTakeAsync("rate:contract", 10, 0.0001, now).AsTask()));
        Assert.Equal(10, results.Count(r => r));
        Assert.True(await Limits.TryTakeAsync("rate:contract", 10, 2, now.AddSeconds(0.5)));
        Assert.False(await Limits.TryTakeAsync("rate:contract", 10, 2, now.AddSeconds(0.5)));
        Assert.True(await Limits.TryTakeAsync("rate:other", 10, 2, now));
    }

    [Fact]
    public async Task Operating_baskets_add_up_and_expire()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Limits.AddOperatingAsync("op:k", start, 0.5).AsTask()));
        Assert.Equal(5, (await Limits.GetBasketsAsync("op:k", start)).Total, 6);
        await Limits.AddOperatingAsync("op:k", start.AddSeconds(90), 1);
        var later = await Limits.GetBasketsAsync("op:k", start.AddSeconds(600));
        Assert.Equal(1, later.Total, 6);
        Assert.Equal(start.AddSeconds(690).ToUnixTimeSeconds(), later.ResetAt(start.AddSeconds(600).UtcTicks));
    }

    [Fact]
    public async Task A_sweep_removes_expired_codes_and_tokens_in_bounded_batches_and_keeps_what_still_answers()
    {
        var token = TestContext.Current.CancellationToken;
        var portal = await PortalAsync("sweep");
        var app = await OAuth.AddAppAsync(portal.Id, Secrets.NewClientId(), Hash("secret"), "App", ["mailservice"], "https://a/", "local.app", cancellationToken: token);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        for (var i = 0; i < 3; i++) await OAuth.SaveCodeAsync(Hash("old" + i), app.Id, portal.Id, 1, now.AddSeconds(-1 - i), token);
        await OAuth.SaveCodeAsync(Hash("live"), app.Id, portal.Id, 1, now.AddSeconds(30), token);
        // Both halves of a pair expired: both go.
        await OAuth.SaveTokensAsync(app.Id, portal.Id, 1, ["mailservice"], new(Hash("a-gone"), Hash("r-gone"), now.AddDays(-2), now.AddDays(-1)), token);
        // An expired access token whose refresh token lives stays, so its client is told expired_token and refreshes.
        await OAuth.SaveTokensAsync(app.Id, portal.Id, 1, ["mailservice"], new(Hash("a-late"), Hash("r-late"), now.AddHours(-5), now.AddDays(10)), token);
        await OAuth.SaveTokensAsync(app.Id, portal.Id, 1, ["mailservice"], new(Hash("a-live"), Hash("r-live"), now.AddHours(1), now.AddDays(180)), token);
        // Once its refresh token is spent, an expired access token goes (the new pair stays).
        await OAuth.SaveTokensAsync(app.Id, portal.Id, 1, ["mailservice"], new(Hash("a-spent"), Hash("r-spent"), now.AddHours(-2), now.AddDays(100)), token);
        Assert.NotNull(await OAuth.RotateRefreshTokenAsync(Hash("r-spent"), app.Id, now, Tokens("a-next", "r-next", now), token));
        // Access tokens stored before they named their refresh token are kept for the default refresh lifetime.
        await InsertUnpairedAccessAsync(app, portal, Hash("a-unpaired-recent"), now.AddDays(-10));
        await InsertUnpairedAccessAsync(app, portal, Hash("a-unpaired-old"), now.AddDays(-181));

        var batches = new List<int>();
        do batches.Add(await OAuth.SweepExpiredAsync(now, 2, token));
        while (batches[^1] > 0);
        Assert.All(batches, b => Assert.InRange(b, 0, 2));
        Assert.Equal(2, batches[0]);
        Assert.Equal(7, batches.Sum());

        Assert.Equal(1, await CountAsync("oauth_codes"));
        Assert.NotNull(await OAuth.ExchangeCodeAsync(Hash("live"), app.Id, now, Tokens("a-code", "r-code", now), token));
        var grant = await OAuth.FindAccessTokenAsync(Hash("a-late"), "sweep.example", token);
        Assert.True(grant!.ExpiresAt < now);
        foreach (var kept in new[] { "a-live", "a-next", "a-unpaired-recent" }) Assert.NotNull(await OAuth.FindAccessTokenAsync(Hash(kept), "x", token));
        foreach (var gone in new[] { "a-gone", "a-spent", "a-unpaired-old" }) Assert.Null(await OAuth.FindAccessTokenAsync(Hash(gone), "x", token));
        Assert.NotNull(await OAuth.RotateRefreshTokenAsync(Hash("r-late"), app.Id, now, Tokens("a-late2", "r-late2", now), token));
        Assert.Null(await OAuth.RotateRefreshTokenAsync(Hash("r-gone"), app.Id, now.AddDays(-3), Tokens("x", "y", now), token));
        // Kept: a-late, a-live, r-live, a-next, r-next, a-unpaired-recent; then a-code, r-code, a-late2, r-late2.
        Assert.Equal(10, await CountAsync("oauth_tokens"));
    }

    [Fact]
    public async Task A_sweep_removes_drained_buckets_and_expired_baskets_in_bounded_batches()
    {
        var token = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        Assert.True(await Limits.TryTakeAsync("rate:drained", 10, 2, now, token));
        await Limits.TryTakeAsync("rate:refused", 1, 2, now, token);
        Assert.False(await Limits.TryTakeAsync("rate:refused", 1, 2, now.AddSeconds(0.25), token));
        for (var i = 0; i < 5; i++) Assert.True(await Limits.TryTakeAsync("rate:full", 5, 0.001, now, token));
        await Limits.AddOperatingAsync("op:old", now.AddMinutes(-12), 1, token);
        await Limits.AddOperatingAsync("op:mixed", now.AddMinutes(-9.5), 1, token);
        await Limits.AddOperatingAsync("op:mixed", now.AddMinutes(-0.5), 2, token);
        await Limits.AddOperatingAsync("op:new", now, 3, token);

        // A minute on, two buckets have drained and two baskets (op:old's, op:mixed's first) have expired.
        var cutoff = now.AddMinutes(1);
        var batches = new List<int>();
        do batches.Add(await Limits.SweepExpiredAsync(cutoff, 1, token));
        while (batches[^1] > 0);
        Assert.Equal([1, 1, 1, 1, 0], batches);
        Assert.Equal(1, await CountAsync("rate_buckets"));
        Assert.Equal(2, await CountAsync("operating_baskets"));

        // What is left answers as before: the full bucket still refuses, op:mixed still counts its live basket.
        Assert.False(await Limits.TryTakeAsync("rate:full", 5, 0.001, cutoff, token));
        Assert.Equal(2, (await Limits.GetBasketsAsync("op:mixed", cutoff, token)).Total, 6);
        Assert.Equal(3, (await Limits.GetBasketsAsync("op:new", cutoff, token)).Total, 6);
        Assert.True(await Limits.TryTakeAsync("rate:drained", 1, 2, cutoff, token));
    }

    // ---- sessions: the two backends agree ----------------------------------------------------------------------

    [Fact]
    public async Task A_reader_left_open_is_closed_with_its_session_and_the_statement_runs_again()
    {
        const string Sql = "SELECT 1 UNION ALL SELECT 2";
        DbDataReader? leaked = null;
        Assert.Equal(1L, await _database.ReadAsync(async session =>
        {
            leaked = await session.ReaderAsync(Sql);
            Assert.True(await leaked.ReadAsync(session.Cancellation));
            return Convert.ToInt64(leaked.GetValue(0));
        }, TestContext.Current.CancellationToken));
        Assert.True(leaked!.IsClosed);
        // Again and again: a reader kept open on a pooled session or command would make the same statement fail.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(2, await _database.ReadAsync(async session =>
            {
                await using var reader = await session.ReaderAsync(Sql);
                var rows = 0;
                while (await reader.ReadAsync(session.Cancellation)) rows++;
                return rows;
            }, TestContext.Current.CancellationToken));
        }

        // A write that leaves its reader open still commits, and its reader is closed with it.
        var portal = await PortalAsync("leak");
        DbDataReader? written = null;
        await _database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("UPDATE portals SET site_id = 's9' WHERE id = @id", ("@id", portal.Id));
            written = await session.ReaderAsync("SELECT id FROM portals WHERE id = @id", ("@id", portal.Id));
            Assert.True(await written.ReadAsync(session.Cancellation));
        });
        Assert.True(written!.IsClosed);
        Assert.Equal("s9", (await Identity.FindPortalAsync("leak"))!.SiteId);
    }

    [Fact]
    public async Task A_null_column_reads_as_null_and_optional_fields_round_trip()
    {
        var token = TestContext.Current.CancellationToken;
        Assert.Null(await _database.ReadAsync(session => session.ScalarAsync("SELECT NULL"), token));
        Assert.Null(await _database.ReadAsync(session => session.ScalarAsync("SELECT CAST(NULL AS BIGINT)"), token));
        Assert.Null(await _database.ReadAsync(session => session.ScalarAsync("SELECT 1 WHERE 1 = 0"), token));
        Assert.Null(await _database.WriteAsync(session => session.ScalarAsync("SELECT CAST(NULL AS TEXT)")));
        // A null parameter is bound as NULL, and a reader shows it as DBNull on both.
        Assert.True(await _database.ReadAsync(async session =>
        {
            await using var reader = await session.ReaderAsync("SELECT CAST(@v AS BIGINT), 5", ("@v", null));
            Assert.True(await reader.ReadAsync(session.Cancellation));
            return reader.IsDBNull(0) && reader.GetValue(0) is DBNull && !reader.IsDBNull(1);
        }, token));

        var portal = await PortalAsync("nulls");
        Assert.Null((await Identity.FindPortalAsync("nulls", token))!.RateLimit);
        Assert.True(await Identity.SetPortalRateLimitAsync(portal.Id, new RateLimit(false, 3, 0.25), token));
        Assert.Equal(new RateLimit(false, 3, 0.25), (await Identity.FindPortalAsync("nulls", token))!.RateLimit);
        Assert.True(await Identity.SetPortalRateLimitAsync(portal.Id, null, token));
        Assert.Null((await Identity.FindPortalAsync("nulls", token))!.RateLimit);

        var admin = (await Identity.FindUserAsync(portal.Id, 1, token))!;
        Assert.NotNull(admin.RegisteredAt);
        Assert.Null(admin.LastLoginAt);
        var created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        await Identity.AddWebhookAsync(portal.Id, 1, Hash("forever"), ["mailservice"], "no expiry", created, null, token);
        await Identity.AddWebhookAsync(portal.Id, 1, Hash("until"), ["mailservice"], "expiry", created, created.AddDays(1), token);
        var hooks = await Identity.ListWebhooksAsync(portal.Id, token);
        Assert.Equal([null, created.AddDays(1)], hooks.Select(h => h.ExpiresAt));
        Assert.Null((await Identity.FindWebhookAsync(Hash("forever"), "nulls.example", token))!.ExpiresAt);
    }

    [Fact]
    public async Task A_cancelled_read_ends_with_OperationCanceledException_and_the_next_call_works()
    {
        var portal = await PortalAsync("cancel");
        using var before = new CancellationTokenSource();
        before.Cancel();
        // More cancelled calls than a pool has connections: none may be kept from the next caller.
        for (var i = 0; i < 3 * B24Mail.Storage.Postgres.PostgresDatabase.DefaultMaxPoolSize; i++)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Identity.FindPortalAsync("cancel", before.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _database.ReadAsync(session => session.ScalarAsync("SELECT 1"), before.Token));
        }

        // Cancelled while the read runs: the next statement is not sent, whether the read left a reader open or not.
        // (Rows a reader has already received may still be read on PostgreSQL: reading them is not a round trip.)
        for (var i = 0; i < 3 * B24Mail.Storage.Postgres.PostgresDatabase.DefaultMaxPoolSize; i++)
        {
            using var during = new CancellationTokenSource();
            var ran = false;
            var leaveOpen = i % 2 == 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _database.ReadAsync(async session =>
            {
                var reader = await session.ReaderAsync("SELECT 1 UNION ALL SELECT 2");
                Assert.True(await reader.ReadAsync(session.Cancellation));
                if (!leaveOpen) await reader.DisposeAsync();
                during.Cancel();
                await session.ScalarAsync("SELECT 3");
                ran = true;
                return 0;
            }, during.Token));
            Assert.False(ran);
        }

        Assert.Equal(portal, await Identity.FindPortalAsync("cancel", TestContext.Current.CancellationToken));
        Assert.Equal(3L, await _database.ReadAsync(async session => Convert.ToInt64(await session.ScalarAsync("SELECT 3")), TestContext.Current.CancellationToken));
        Assert.Equal(portal.Id, (await Identity.AddUserAsync(portal.Id, "After", "Cancel", "a@c", false, TestContext.Current.CancellationToken)).PortalId);
    }

    private Task<long> CountAsync(string table) => _database.ReadAsync(async session => Convert.ToInt64(await session.ScalarAsync($"SELECT COUNT(*) FROM {table}")));

    /// <summary>An access token as stored before tokens named their pair.</summary>
    private Task InsertUnpairedAccessAsync(OAuthApp app, Portal portal, byte[] hash, DateTimeOffset expires) => _database.WriteAsync(session =>
        session.ExecuteAsync("""
            INSERT INTO oauth_tokens (token_hash, kind, app_id, portal_id, user_id, scopes, expires_at)
            VALUES (@hash, 'access', @app, @portal, 1, 'mailservice', @expires)
            """, ("@hash", hash), ("@app", app.Id), ("@portal", portal.Id), ("@expires", expires.ToUnixTimeMilliseconds())));

    private static NewTokens Tokens(string access, string refresh, DateTimeOffset now) => new(Hash(access), Hash(refresh), now.AddHours(1), now.AddDays(180));
}

public sealed class SqliteStoreContract : StoreContract
{
    protected override Task<IDatabase> OpenAsync()
    {
        var folder = EndToEnd.LiveServer.NewDataDir();
        Directory.CreateDirectory(folder);
        return Task.FromResult<IDatabase>(new B24Mail.Storage.Sqlite.SqliteDatabase(Path.Combine(folder, "contract.db")));
    }
}

public sealed class PostgresStoreContract : StoreContract
{
    protected override async Task<IDatabase> OpenAsync() => new B24Mail.Storage.Postgres.PostgresDatabase(await EndToEnd.PostgresTestDatabase.CreateAsync());

    /// <summary>On PostgreSQL a statement can be cancelled while the server runs it: the call ends at once and the pool serves the next.</summary>
    [Fact]
    public async Task A_statement_cancelled_on_the_server_ends_the_call_and_the_pool_serves_the_next()
    {
        var database = await OpenAsync();
        await using var _ = database;
        for (var i = 0; i < 3; i++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var started = System.Diagnostics.Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => database.ReadAsync(session => session.ScalarAsync("SELECT pg_sleep(30)"), cancel.Token));
            Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }
        Assert.Equal(1L, await database.ReadAsync(async session => Convert.ToInt64(await session.ScalarAsync("SELECT 1")), TestContext.Current.CancellationToken));
    }
}
