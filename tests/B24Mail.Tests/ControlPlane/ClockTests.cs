using System.Net;
using System.Text.Json;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary><c>--clock manual</c> and <c>/_b24mail/clock</c>: everything that depends on time follows it, with no sleeping.</summary>
public sealed class ClockTests
{
    private static async Task<DateTimeOffset> NowAsync(LiveServer server)
    {
        var response = await server.GetAsync(server.HttpsBase + "/_b24mail/clock");
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return DateTimeOffset.Parse(response.Json.GetProperty("now").GetString()!);
    }

    private static async Task<JsonElement> MoveAsync(LiveServer server, string body)
    {
        var response = await server.PostJsonAsync(server.HttpsBase + "/_b24mail/clock", body);
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return response.Json;
    }

    [Fact]
    public async Task Without_the_flag_the_clock_is_not_there()
    {
        await using var server = await LiveServer.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync(server.HttpsBase + "/_b24mail/clock")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.PostJsonAsync(server.HttpsBase + "/_b24mail/clock", """{"advance":60}""")).Status);
    }

    [Fact]
    public async Task The_time_stands_still_is_set_and_advanced_and_the_time_block_follows()
    {
        await using var server = await LiveServer.StartAsync("--clock", "manual");
        var first = await NowAsync(server);
        await Task.Delay(50);
        Assert.Equal(first, await NowAsync(server));

        var set = await MoveAsync(server, """{"now":"2026-01-01T00:00:00Z"}""");
        Assert.Equal("2026-01-01T00:00:00.000Z", set.GetProperty("now").GetString());
        var advanced = await MoveAsync(server, """{"advance":3600.5}""");
        Assert.Equal("2026-01-01T01:00:00.500Z", advanced.GetProperty("now").GetString());

        var time = (await server.GetAsync(server.Webhook + "mailservice.fields")).Json.GetProperty("time");
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 1, 0, 0, 500, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0, time.GetProperty("start").GetDouble(), 3);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(time.GetProperty("date_start").GetString()!));
        var serverTime = (await server.GetAsync(server.Webhook + "server.time")).Result.GetString()!;
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(serverTime));
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_after_advance_without_sleeping()
    {
        await using var server = await LiveServer.StartAsync("--clock", "manual");
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var tokens = await server.LoginAsync(app, 1);
        var access = tokens.GetProperty("access_token").GetString()!;
        var lifetime = tokens.GetProperty("expires_in").GetInt32();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + access)).Status);

        await MoveAsync(server, $$"""{"advance":{{lifetime - 1}}}""");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + access)).Status);
        await MoveAsync(server, """{"advance":2}""");
        var expired = await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + access);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("expired_token", expired.Error);

        var refreshed = await server.TokenAsync(app, "refresh_token", "refresh_token", tokens.GetProperty("refresh_token").GetString()!);
        Assert.True(refreshed.Status == HttpStatusCode.OK, refreshed.Raw);
        var renewed = refreshed.Json.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + renewed)).Status);
        // The token answer's expires is the manual time plus the lifetime.
        var now = await NowAsync(server);
        Assert.InRange(refreshed.Json.GetProperty("expires").GetInt64(), now.ToUnixTimeSeconds() + lifetime - 1, now.ToUnixTimeSeconds() + lifetime + 1);
    }

    [Fact]
    public async Task A_webhook_expires_when_the_clock_passes_its_end()
    {
        await using var server = await LiveServer.StartAsync("--clock", "manual");
        var (code, output, error) = await CommandTests.RunAsync("webhook", "add", "--user", "1", "--scope", "mailservice", "--expires-in", "600",
            "--clock", "manual", "--data", server.DataDir, "--urls", server.HttpsBase);
        Assert.True(code == 0, error);
        var hook = output.Trim();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hook + "mailservice.fields")).Status);
        await MoveAsync(server, """{"advance":599}""");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hook + "mailservice.fields")).Status);
        await MoveAsync(server, """{"advance":1}""");
        Assert.Equal("INVALID_CREDENTIALS", (await server.GetAsync(hook + "mailservice.fields")).Error);
    }

    [Fact]
    public async Task The_rate_limit_drains_only_as_the_clock_moves()
    {
        await using var server = await LiveServer.StartAsync("--clock", "manual", "--rate-limit", "true", "--rate-limit-burst", "3", "--rate-limit-per-second", "1");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        await Task.Delay(1200);
        Assert.Equal("QUERY_LIMIT_EXCEEDED", (await server.GetAsync(server.Webhook + "mailservice.fields")).Error);
        await MoveAsync(server, """{"advance":2}""");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal("QUERY_LIMIT_EXCEEDED", (await server.GetAsync(server.Webhook + "mailservice.fields")).Error);
    }

    [Fact]
    public async Task The_manual_time_survives_a_restart()
    {
        await using var server = await LiveServer.StartAsync("--clock", "manual");
        await MoveAsync(server, """{"now":"2030-06-01T12:00:00Z"}""");
        await server.RestartAsync();
        Assert.Equal(new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero), await NowAsync(server));
    }

    [Theory]
    [InlineData("""{"advance":-60}""", "$.advance")]
    [InlineData("""{"advance":"60"}""", "$.advance")]
    [InlineData("""{"advance":1e12}""", "$.advance")]
    [InlineData("""{"now":"yesterday"}""", "$.now")]
    [InlineData("""{"now":"0001-01-01T00:00:00Z"}""", "$.now")]
    [InlineData("""{"now":12}""", "$.now")]
    [InlineData("""{"now":"2026-01-01T00:00:00Z","advance":5}""", "$")]
    [InlineData("""{}""", "$")]
    [InlineData("""{"speed":2}""", "$.speed")]
    [InlineData("""[1]""", "$")]
    public async Task A_bad_setting_is_refused_and_the_clock_does_not_move(string body, string path)
    {
        await using var server = await LiveServer.StartAsync("--clock", "manual");
        var before = await NowAsync(server);
        var response = await server.PostJsonAsync(server.HttpsBase + "/_b24mail/clock", body);
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.Raw);
        Assert.Contains(response.Json.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
        Assert.Equal(before, await NowAsync(server));
    }
}
