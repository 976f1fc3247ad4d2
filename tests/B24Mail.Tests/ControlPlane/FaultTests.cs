using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using B24Mail.Server.ControlPlane;
using B24Mail.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.ControlPlane;

/// <summary>Fault rules through <c>/_b24mail/faults</c>, as a client of the REST API meets them.</summary>
public sealed class FaultTests
{
    internal static async Task<JsonElement> AddRuleAsync(LiveServer server, string rule)
    {
        var response = await server.PostJsonAsync(server.HttpsBase + "/_b24mail/faults", rule);
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        return response.Json;
    }

    internal static async Task<JsonElement[]> RulesAsync(LiveServer server) =>
        (await server.GetAsync(server.HttpsBase + "/_b24mail/faults")).Json.GetProperty("rules").EnumerateArray().ToArray();

    private static void AssertError(RestResponse response, int status, string error, string description)
    {
        Assert.True((int)response.Status == status, $"expected {status} {error}, got {(int)response.Status}: {response.Raw}");
        Assert.Equal(error, response.Error);
        Assert.Equal(description, response.ErrorDescription);
        // The exact envelope: the two keys and nothing else.
        Assert.Equal(["error", "error_description"], response.Json.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public async Task A_named_error_fires_the_given_number_of_times_then_the_call_runs()
    {
        await using var server = await LiveServer.StartAsync();
        var rule = await AddRuleAsync(server, """{"method":"mailservice.*","error":"QUERY_LIMIT_EXCEEDED","times":2}""");
        Assert.Equal(0, rule.GetProperty("fired").GetInt32());
        AssertError(await server.GetAsync(server.Webhook + "mailservice.list"), 503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
        AssertError(await server.GetAsync(server.Webhook + "MAILSERVICE.FIELDS"), 503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        // Other methods never matched.
        var listed = Assert.Single(await RulesAsync(server));
        Assert.Equal(rule.GetProperty("id").GetInt64(), listed.GetProperty("id").GetInt64());
        Assert.Equal(2, listed.GetProperty("fired").GetInt32());
    }

    [Theory]
    [InlineData("INTERNAL_SERVER_ERROR", 500, "Internal server error")]
    [InlineData("ERROR_UNEXPECTED_ANSWER", 500, "Server returned an unexpected response")]
    [InlineData("OVERLOAD_LIMIT", 503, "REST API is blocked due to overload.")]
    [InlineData("ACCESS_DENIED", 403, "REST is available only on commercial plans.")]
    [InlineData("PORTAL_DELETED", 500, "Portal was deleted")]
    [InlineData("user_access_error", 403, "The user does not have access to the application.")]
    [InlineData("expired_token", 401, "The access token provided has expired")]
    [InlineData("invalid_token", 401, "The access token provided is invalid")]
    [InlineData("INVALID_CREDENTIALS", 401, "Invalid request credentials")]
    [InlineData("ERROR_MANIFEST_IS_NOT_AVAILABLE", 404, "Manifest is not available")]
    public async Task Every_named_error_has_the_servers_own_status_and_text(string error, int status, string description)
    {
        await using var server = await LiveServer.StartAsync();
        await AddRuleAsync(server, $$"""{"method":"mailservice.get","error":"{{error}}","times":1}""");
        AssertError(await server.GetAsync(server.Webhook + "mailservice.get?ID=1"), status, error, description);
    }

    [Fact]
    public async Task Inside_a_batch_the_rule_hits_the_command_not_the_batch()
    {
        await using var server = await LiveServer.StartAsync();
        await AddRuleAsync(server, """{"method":"mailservice.get","error":"INTERNAL_SERVER_ERROR"}""");
        var response = await server.GetAsync(server.Webhook + "batch?cmd[a]=mailservice.get%3FID%3D1&cmd[b]=mailservice.fields");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var result = response.Result;
        Assert.Equal("INTERNAL_SERVER_ERROR", result.GetProperty("result_error").GetProperty("a").GetProperty("error").GetString());
        Assert.Equal("Internal server error", result.GetProperty("result_error").GetProperty("a").GetProperty("error_description").GetString());
        Assert.True(result.GetProperty("result").TryGetProperty("b", out _));
        Assert.False(result.GetProperty("result").TryGetProperty("a", out _));
    }

    [Fact]
    public async Task Portal_and_credential_narrow_a_rule_and_a_custom_error_is_answered_as_given()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = await server.PortalAsync();
        var app = await server.AddAppAsync(portal, "mailservice");
        var token = (await server.LoginAsync(app, 1)).GetProperty("access_token").GetString()!;
        await server.PortalAsync("other", "other.test");
        await AddRuleAsync(server, """{"credential":"oauth","portal":"default","error":{"status":418,"error":"TEAPOT","error_description":"I'm a teapot"}}""");
        await AddRuleAsync(server, """{"portal":"other","error":"OVERLOAD_LIMIT"}""");

        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        AssertError(await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + token), 418, "TEAPOT", "I'm a teapot");
        var rules = await RulesAsync(server);
        Assert.Equal(1, rules[0].GetProperty("fired").GetInt32());
        Assert.Equal(418, rules[0].GetProperty("error").GetProperty("status").GetInt32());
        Assert.Equal(0, rules[1].GetProperty("fired").GetInt32());
    }

    [Fact]
    public async Task A_rule_that_matches_nothing_never_fires()
    {
        await using var server = await LiveServer.StartAsync();
        await AddRuleAsync(server, """{"method":"crm.*","error":"INTERNAL_SERVER_ERROR"}""");
        await AddRuleAsync(server, """{"method":"mailservice.get","credential":"oauth","error":"INTERNAL_SERVER_ERROR"}""");
        await AddRuleAsync(server, """{"method":"mailservice.lis","error":"INTERNAL_SERVER_ERROR"}""");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
            Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Status);
        }
        Assert.All(await RulesAsync(server), r => Assert.Equal(0, r.GetProperty("fired").GetInt32()));
    }

    [Fact]
    public async Task A_delay_holds_the_call_then_it_runs()
    {
        await using var server = await LiveServer.StartAsync();
        await AddRuleAsync(server, """{"method":"mailservice.fields","delay":400,"times":1}""");
        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.True(watch.ElapsedMilliseconds >= 380, $"took {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.True(watch.ElapsedMilliseconds < 380, $"took {watch.ElapsedMilliseconds} ms after the rule was used up");
    }

    [Fact]
    public async Task A_dropped_connection_gives_the_client_no_answer_even_from_a_batch_command()
    {
        await using var server = await LiveServer.StartAsync();
        await AddRuleAsync(server, """{"method":"mailservice.fields","drop":true,"times":2}""");
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(server.Webhook + "mailservice.fields"));
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(server.Webhook + "batch?cmd[a]=mailservice.list&cmd[b]=mailservice.fields"));
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
    }

    [Fact]
    public async Task With_a_fault_seed_a_probability_fires_the_same_way_every_run()
    {
        async Task<string> RunAsync()
        {
            await using var server = await LiveServer.StartAsync("--fault-seed", "42");
            await AddRuleAsync(server, """{"method":"mailservice.fields","error":"INTERNAL_SERVER_ERROR","probability":0.5}""");
            var pattern = "";
            for (var i = 0; i < 24; i++) pattern += (await server.GetAsync(server.Webhook + "mailservice.fields")).Status == HttpStatusCode.OK ? "." : "x";
            Assert.Equal(pattern.Count(c => c == 'x'), (await RulesAsync(server))[0].GetProperty("fired").GetInt32());
            return pattern;
        }

        var first = await RunAsync();
        Assert.Equal(first, await RunAsync());
        Assert.Contains('x', first);
        Assert.Contains('.', first);
    }

    [Theory]
    [InlineData("""{"method":"mailservice.*","error":"NO_SUCH_ERROR"}""", "$.error")]
    [InlineData("""{"method":"mail service","error":"INTERNAL_SERVER_ERROR"}""", "$.method")]
    [InlineData("""{"method":"","error":"INTERNAL_SERVER_ERROR"}""", "$.method")]
    [InlineData("""{"method":"mailservice.(get|list)","error":"INTERNAL_SERVER_ERROR"}""", "$.method")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","probability":1.5}""", "$.probability")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","probability":-0.1}""", "$.probability")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","probability":"0.5"}""", "$.probability")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","times":-1}""", "$.times")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","times":0}""", "$.times")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","times":1.5}""", "$.times")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","credential":"password"}""", "$.credential")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","portal":"nosuch"}""", "$.portal")]
    [InlineData("""{"error":"INTERNAL_SERVER_ERROR","when":"always"}""", "$.when")]
    [InlineData("""{"error":{"status":200,"error":"OK"}}""", "$.error.status")]
    [InlineData("""{"error":{"status":500}}""", "$.error.error")]
    [InlineData("""{"error":{"status":500,"error":"X","extra":1}}""", "$.error.extra")]
    [InlineData("""{"error":42}""", "$.error")]
    [InlineData("""{"delay":-5}""", "$.delay")]
    [InlineData("""{"delay":3600000}""", "$.delay")]
    [InlineData("""{"drop":"yes"}""", "$.drop")]
    [InlineData("""{"drop":true,"error":"INTERNAL_SERVER_ERROR"}""", "$.drop")]
    [InlineData("""{"method":"mailservice.get"}""", "$")]
    [InlineData("""[]""", "$")]
    [InlineData("""null""", "$")]
    public async Task A_bad_rule_is_refused_naming_its_place_and_nothing_is_stored(string body, string path)
    {
        await using var server = await LiveServer.StartAsync();
        var response = await server.PostJsonAsync(server.HttpsBase + "/_b24mail/faults", body);
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.Raw);
        Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Json.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
        Assert.Empty(await RulesAsync(server));
    }

    [Fact]
    public async Task Garbage_and_oversized_bodies_are_problems_not_500s()
    {
        await using var server = await LiveServer.StartAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostJsonAsync(server.HttpsBase + "/_b24mail/faults", "{\"error\":")).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await server.PostJsonAsync(server.HttpsBase + "/_b24mail/faults", "\"" + new string('a', 70_000) + "\"")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostJsonAsync(server.HttpsBase + "/_b24mail/faults", new string('[', 100) + new string(']', 100))).Status);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await server.PostFormAsync(server.HttpsBase + "/_b24mail/faults", "error=INTERNAL_SERVER_ERROR")).Status);
        var forged = new HttpRequestMessage(HttpMethod.Post, server.HttpsBase + "/_b24mail/faults") { Content = new StringContent("""{"error":"INTERNAL_SERVER_ERROR"}""", System.Text.Encoding.UTF8, "application/json") };
        forged.Headers.Add("Origin", "https://attacker.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await server.SendAsync(forged)).Status);
        Assert.Empty(await RulesAsync(server));
    }

    [Fact]
    public async Task Rules_are_removed_one_by_one_or_all_and_by_a_whole_reset()
    {
        await using var server = await LiveServer.StartAsync();
        var first = (await AddRuleAsync(server, """{"method":"mailservice.list","error":"INTERNAL_SERVER_ERROR"}""")).GetProperty("id").GetInt64();
        await AddRuleAsync(server, """{"method":"mailservice.fields","error":"INTERNAL_SERVER_ERROR"}""");
        var deleted = await server.SendAsync(new HttpRequestMessage(HttpMethod.Delete, server.HttpsBase + "/_b24mail/faults/" + first));
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(new HttpRequestMessage(HttpMethod.Delete, server.HttpsBase + "/_b24mail/faults/" + first))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(new HttpRequestMessage(HttpMethod.Delete, server.HttpsBase + "/_b24mail/faults/abc"))).Status);
        var all = await server.SendAsync(new HttpRequestMessage(HttpMethod.Delete, server.HttpsBase + "/_b24mail/faults"));
        Assert.Equal(1, all.Json.GetProperty("removed").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);

        // What a whole reset runs: every IResetWithState.
        await AddRuleAsync(server, """{"error":"INTERNAL_SERVER_ERROR"}""");
        foreach (var reset in server.Services.GetServices<IResetWithState>()) await reset.ResetAsync(CancellationToken.None);
        Assert.Empty(await RulesAsync(server));
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
    }

    [Fact]
    public async Task Fires_are_counted_on_the_B24Mail_meter_by_error()
    {
        var hits = new List<(long Value, string? Error)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "B24Mail" && instrument.Name == "b24mail.faults.hits") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (hits) hits.Add((value, tags.ToArray().FirstOrDefault(t => t.Key == "error").Value as string));
        });
        listener.Start();
        await using var server = await LiveServer.StartAsync();
        await AddRuleAsync(server, """{"method":"mailservice.fields","portal":"default","error":"OVERLOAD_LIMIT","times":3}""");
        for (var i = 0; i < 5; i++) await server.GetAsync(server.Webhook + "mailservice.fields");
        lock (hits) Assert.Equal(3, hits.Where(h => h.Error == "OVERLOAD_LIMIT").Sum(h => h.Value));
    }

    [Fact]
    public async Task A_rule_added_on_one_node_fires_on_the_other_and_times_is_shared()
    {
        var (a, b) = await TwoNodes.StartAsync();
        await using var _ = a;
        await using var __ = b;
        await AddRuleAsync(a, """{"method":"mailservice.list","error":"QUERY_LIMIT_EXCEEDED","times":3}""");
        var onB = b.HttpsBase + new Uri(b.Webhook).AbsolutePath;
        var onA = a.HttpsBase + new Uri(a.Webhook).AbsolutePath;
        Assert.Equal("QUERY_LIMIT_EXCEEDED", (await b.GetAsync(onB + "mailservice.list")).Error);
        var both = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).GetAsync((i % 2 == 0 ? onA : onB) + "mailservice.list")));
        Assert.Equal(2, both.Count(r => r.Error == "QUERY_LIMIT_EXCEEDED"));
        Assert.Equal(3, (await RulesAsync(b))[0].GetProperty("fired").GetInt32());
        var cleared = await b.SendAsync(new HttpRequestMessage(HttpMethod.Delete, b.HttpsBase + "/_b24mail/faults"));
        Assert.Equal(1, cleared.Json.GetProperty("removed").GetInt32());
        Assert.Empty(await RulesAsync(a));
    }
}
