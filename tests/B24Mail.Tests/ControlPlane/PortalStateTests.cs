using System.Net;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary>
/// Portal states and app user limits (docs/decisions.md #31) as a client sees them, set through
/// <c>POST /_b24mail/portals/{code}</c>, <c>portal set --state</c> and <c>app restrict</c>.
/// </summary>
public sealed class PortalStateTests
{
    private static async Task SetStateAsync(LiveServer server, string state, string code = "default")
    {
        var response = await server.PostJsonAsync(server.HttpsBase + "/_b24mail/portals/" + code, new { state });
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        Assert.Equal(state, response.Json.GetProperty("state").GetString());
    }

    private static void AssertError(RestResponse response, int status, string error, string description)
    {
        Assert.True((int)response.Status == status, $"expected {status} {error}, got {(int)response.Status}: {response.Raw}");
        Assert.Equal(error, response.Error);
        Assert.Equal(description, response.ErrorDescription);
        Assert.False(response.Json.TryGetProperty("time", out _));
    }

    private static async Task<string> TokenAsync(LiveServer server, long userId = 1, params string[] scopes)
    {
        var app = await server.AddAppAsync(await server.PortalAsync(), scopes.Length == 0 ? ["mailservice"] : scopes);
        return (await server.LoginAsync(app, userId)).GetProperty("access_token").GetString()!;
    }

    [Theory]
    [InlineData("blocked", 503, "OVERLOAD_LIMIT", "REST API is blocked due to overload.")]
    [InlineData("free", 403, "ACCESS_DENIED", "REST is available only on commercial plans.")]
    [InlineData("closed", 500, "PORTAL_DELETED", "Portal was deleted")]
    public async Task Each_state_answers_every_credential_with_its_error(string state, int status, string error, string description)
    {
        await using var server = await LiveServer.StartAsync();
        var token = await TokenAsync(server);
        var batch = "/batch?cmd[a]=mailservice.list&cmd[b]=mailservice.fields";
        await SetStateAsync(server, state);

        AssertError(await server.GetAsync(server.Webhook + "mailservice.list"), status, error, description);
        AssertError(await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + token), status, error, description);
        // A batch is refused as a whole, from the outer call; no command runs.
        AssertError(await server.GetAsync(server.Webhook.TrimEnd('/') + batch), status, error, description);
        AssertError(await server.GetAsync(server.HttpsBase + "/rest" + batch + "&auth=" + token), status, error, description);

        await SetStateAsync(server, "active");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + token)).Status);
    }

    [Fact]
    public async Task The_state_comes_after_the_credential_and_before_expiry_scope_and_user()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var userScopeOnly = await TokenAsync(server, 1, "user");
        var expiring = await TokenAsync(server);
        var plain = await server.AddUserAsync(admin: false);
        var plainHook = await server.AddWebhookAsync(plain, "user");
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("expired_token", (await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + expiring)).Error);
        await SetStateAsync(server, "blocked");

        // Found credentials meet the state first: before expiry, scope, the admin right.
        AssertError(await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + expiring), 503, "OVERLOAD_LIMIT", "REST API is blocked due to overload.");
        AssertError(await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + userScopeOnly), 503, "OVERLOAD_LIMIT", "REST API is blocked due to overload.");
        AssertError(await server.PostJsonAsync(plainHook + "mailservice.add", new { NAME = "x" }), 503, "OVERLOAD_LIMIT", "REST API is blocked due to overload.");
        // What comes before the credential still comes first: an unknown method, no credential, an unknown secret or token.
        Assert.Equal("ERROR_METHOD_NOT_FOUND", (await server.GetAsync(server.Webhook + "no.such.method")).Error);
        Assert.Equal("NO_AUTH_FOUND", (await server.GetAsync(server.HttpsBase + "/rest/mailservice.list")).Error);
        Assert.Equal("INVALID_CREDENTIALS", (await server.GetAsync(server.HttpsBase + "/rest/1/0000000000000000/mailservice.list")).Error);
        Assert.Equal("invalid_token", (await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=nosuchtoken")).Error);
    }

    [Fact]
    public async Task A_closed_portal_is_decided_by_its_domain_before_the_method_lookup()
    {
        await using var server = await LiveServer.StartAsync();
        await SetStateAsync(server, "closed");
        Task<RestResponse> AtDomain(string url)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Host = "localhost";
            return server.SendAsync(request);
        }

        AssertError(await AtDomain(server.Webhook + "no.such.method"), 500, "PORTAL_DELETED", "Portal was deleted");
        AssertError(await AtDomain(server.HttpsBase + "/rest/mailservice.list"), 500, "PORTAL_DELETED", "Portal was deleted");
        AssertError(await AtDomain(server.HttpsBase + "/rest/1/0000000000000000/mailservice.list"), 500, "PORTAL_DELETED", "Portal was deleted");
        // At an address that names no portal, the portal is known only from the credential.
        Assert.Equal("ERROR_METHOD_NOT_FOUND", (await server.GetAsync(server.Webhook + "no.such.method")).Error);
        AssertError(await server.GetAsync(server.Webhook + "mailservice.list"), 500, "PORTAL_DELETED", "Portal was deleted");
    }

    [Fact]
    public async Task One_portals_state_leaves_the_others_alone()
    {
        await using var server = await LiveServer.StartAsync();
        var other = await server.PortalAsync("other", "other.test");
        await SetStateAsync(server, "blocked", "other");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        var info = await server.GetAsync(server.HttpsBase + "/_b24mail/");
        var states = info.Json.GetProperty("portals").EnumerateArray().ToDictionary(p => p.GetProperty("code").GetString()!, p => p.GetProperty("state").GetString());
        Assert.Equal("active", states["default"]);
        Assert.Equal("blocked", states[other.Code]);
    }

    [Theory]
    [InlineData("""{"state":"paused"}""", "$.state")]
    [InlineData("""{"state":null}""", "$.state")]
    [InlineData("""{"state":1}""", "$.state")]
    [InlineData("""{"state":"blocked","colour":"red"}""", "$.colour")]
    [InlineData("""{"state":"blocked","license":"gold"}""", "$.license")]
    [InlineData("""{"language":"english"}""", "$.language")]
    [InlineData("""{}""", "$")]
    [InlineData("""["blocked"]""", "$")]
    public async Task A_bad_body_is_refused_and_changes_nothing(string body, string path)
    {
        await using var server = await LiveServer.StartAsync();
        var response = await server.PostJsonAsync(server.HttpsBase + "/_b24mail/portals/default", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Json.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
        var portal = (await server.GetAsync(server.HttpsBase + "/_b24mail/")).Json.GetProperty("portals")[0];
        Assert.Equal("active", portal.GetProperty("state").GetString());
        Assert.Equal("pro", portal.GetProperty("license").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
    }

    [Fact]
    public async Task Unknown_portals_and_bodies_that_are_not_json_are_refused()
    {
        await using var server = await LiveServer.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await server.PostJsonAsync(server.HttpsBase + "/_b24mail/portals/nosuch", """{"state":"blocked"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostJsonAsync(server.HttpsBase + "/_b24mail/portals/default", """{"state":""")).Status);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await server.PostFormAsync(server.HttpsBase + "/_b24mail/portals/default", "state=blocked")).Status);
    }

    [Fact]
    public async Task Portal_set_state_on_the_command_line_takes_effect_at_once()
    {
        await using var server = await LiveServer.StartAsync();
        var (code, output, error) = await CommandTests.RunAsync("portal", "set", "--code", "default", "--state", "free", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal("default", output.Trim());
        AssertError(await server.GetAsync(server.Webhook + "mailservice.list"), 403, "ACCESS_DENIED", "REST is available only on commercial plans.");
        (code, _, error) = await CommandTests.RunAsync("portal", "set", "--code", "default", "--state", "gone", "--data", server.DataDir);
        Assert.Equal(2, code);
        Assert.Contains("--state", error);
        (code, _, _) = await CommandTests.RunAsync("portal", "set", "--code", "default", "--state", "active", "--data", server.DataDir);
        Assert.Equal(0, code);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
    }

    [Fact]
    public async Task An_app_limited_to_some_users_refuses_the_others_tokens()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = await server.PortalAsync();
        var app = await server.AddAppAsync(portal, "mailservice");
        var second = await server.AddUserAsync(admin: false);
        var third = await server.AddUserAsync(admin: false);
        var tokens = new Dictionary<long, string>();
        foreach (var user in new[] { 1L, second, third }) tokens[user] = (await server.LoginAsync(app, user)).GetProperty("access_token").GetString()!;
        Task<RestResponse> Call(long user) => server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + tokens[user]);

        var (code, output, error) = await CommandTests.RunAsync("app", "restrict", "--app", app.App.ClientId, "--users", $"1,{second}", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal($"1,{second}", output.Trim());
        Assert.Equal(HttpStatusCode.OK, (await Call(1)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Call(second)).Status);
        AssertError(await Call(third), 403, "user_access_error", "The user does not have access to the application.");
        // After authorization_error: an inactive user outside the list is told that first.
        await CommandTests.RunAsync("user", "deactivate", "--user", third.ToString(), "--data", server.DataDir);
        Assert.Equal("authorization_error", (await Call(third)).Error);
        await CommandTests.RunAsync("user", "activate", "--user", third.ToString(), "--data", server.DataDir);

        (code, output, _) = await CommandTests.RunAsync("app", "restrict", "--app", app.App.ClientId, "--users", "all", "--data", server.DataDir);
        Assert.Equal(0, code);
        Assert.Equal("all", output.Trim());
        Assert.Equal(HttpStatusCode.OK, (await Call(third)).Status);

        foreach (var bad in new[] { "0", "1,x", "", "-1" })
        {
            (code, _, _) = await CommandTests.RunAsync("app", "restrict", "--app", app.App.ClientId, "--users", bad, "--data", server.DataDir);
            Assert.Equal(2, code);
        }
        (code, _, error) = await CommandTests.RunAsync("app", "restrict", "--app", app.App.ClientId, "--users", "1,999", "--data", server.DataDir);
        Assert.NotEqual(0, code);
        Assert.Contains("999", error);
        Assert.Equal(HttpStatusCode.OK, (await Call(third)).Status);
    }
}
