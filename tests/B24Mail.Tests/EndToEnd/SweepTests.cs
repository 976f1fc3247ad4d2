using System.Net;
using B24Mail.Rest.Limits;
using B24Mail.Server.Hosting;
using B24Mail.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace B24Mail.Tests.EndToEnd;

/// <summary>The server's background sweep, driven a round at a time on the injected clock.</summary>
public sealed class SweepTests
{
    private static ExpirySweeper Sweeper(LiveServer server) => server.Services.GetServices<IHostedService>().OfType<ExpirySweeper>().Single();

    private static async Task<string?> CallErrorAsync(LiveServer server, string access)
    {
        var response = await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + access);
        return response.Status == HttpStatusCode.OK ? null : response.Error;
    }

    [Fact]
    public async Task An_expired_access_token_is_kept_while_its_refresh_token_lives_and_swept_once_that_is_spent()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var first = await server.LoginAsync(app, 1);
        var access = first.GetProperty("access_token").GetString()!;

        // Back three days later: still told expired_token, which is what makes clients refresh.
        clock.Advance(TimeSpan.FromDays(3));
        await Sweeper(server).SweepOnceAsync(clock.GetUtcNow(), TestContext.Current.CancellationToken);
        Assert.Equal("expired_token", await CallErrorAsync(server, access));
        var second = await server.TokenAsync(app, "refresh_token", "refresh_token", first.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, second.Status);

        // The old pair is spent, so its access token goes; the new pair is untouched.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await Sweeper(server).SweepOnceAsync(clock.GetUtcNow(), TestContext.Current.CancellationToken) >= 1);
        Assert.Equal("invalid_token", await CallErrorAsync(server, access));
        Assert.Null(await CallErrorAsync(server, second.Json.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task A_drained_rate_bucket_is_swept_a_grace_minute_after_it_emptied()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock, "--rate-limit", "true", "--rate-limit-burst", "2", "--rate-limit-per-second", "1");
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(1, await BucketsAsync(server));

        clock.Advance(TimeSpan.FromSeconds(30));
        await Sweeper(server).SweepOnceAsync(clock.GetUtcNow(), TestContext.Current.CancellationToken);
        Assert.Equal(1, await BucketsAsync(server));
        clock.Advance(TimeSpan.FromMinutes(1));
        await Sweeper(server).SweepOnceAsync(clock.GetUtcNow(), TestContext.Current.CancellationToken);
        Assert.Equal(0, await BucketsAsync(server));

        // A fresh bucket answers as the drained one would have.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
    }

    [Fact]
    public async Task A_round_deletes_in_batches_and_stops_after_a_bounded_number_of_them()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var portal = await server.PortalAsync();
        var app = await server.AddAppAsync(portal, "mailservice");
        var bound = ExpirySweeper.BatchSize * ExpirySweeper.MaxBatches;
        var database = server.Services.GetRequiredService<IDatabase>();
        var hash = database.Dialect == SqlDialect.Postgres ? "CAST(CAST(i AS TEXT) AS BYTEA)" : "CAST(i AS BLOB)";
        await database.WriteAsync(session => session.ExecuteAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @rows)
            INSERT INTO oauth_codes (code_hash, app_id, portal_id, user_id, expires_at) SELECT {hash}, @app, @portal, 1, @expires FROM n
            """, ("@rows", bound + 50), ("@app", app.App.Id), ("@portal", portal.Id), ("@expires", clock.GetUtcNow().AddMinutes(-5).ToUnixTimeMilliseconds())));

        // A backlog is worked off over rounds: one round takes its bound and leaves the rest for the next.
        Assert.Equal(bound, await Sweeper(server).SweepOnceAsync(clock.GetUtcNow(), TestContext.Current.CancellationToken));
        Assert.Equal(50, await Sweeper(server).SweepOnceAsync(clock.GetUtcNow(), TestContext.Current.CancellationToken));
        Assert.Equal(0, await Sweeper(server).SweepOnceAsync(clock.GetUtcNow(), TestContext.Current.CancellationToken));
    }

    /// <summary>Rate buckets held: in memory on SQLite, in the shared table on PostgreSQL.</summary>
    private static async Task<long> BucketsAsync(LiveServer server) => server.Services.GetRequiredService<ILimitStore>() switch
    {
        MemoryLimitStore memory => memory.Count,
        _ => await server.Services.GetRequiredService<IDatabase>().ReadAsync(async session => Convert.ToInt64(await session.ScalarAsync("SELECT COUNT(*) FROM rate_buckets"))),
    };
}
