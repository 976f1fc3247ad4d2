using System.Net;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary>
/// Users, webhooks and apps made through <c>/_b24mail/portals/{code}/...</c>, and used as a client would use what
/// <c>user add</c>, <c>webhook add</c>, <c>app add</c> and <c>token issue</c> print. A refused body is a 400 problem
/// and stores nothing.
/// </summary>
public sealed class AccountTests
{
    private static string Portal(LiveServer server, string rest = "") => server.HttpsBase + "/_b24mail/portals/default" + rest;

    private static void AssertProblem(RestResponse response, HttpStatusCode status, params string[] paths)
    {
        Assert.True(response.Status == status, response.Raw);
        Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        var errors = response.Json.TryGetProperty("errors", out var list) ? list.EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList() : [];
        foreach (var path in paths) Assert.Contains(path, errors);
    }

    [Fact]
    public async Task A_user_and_its_webhook_made_over_the_control_plane_call_the_portal()
    {
        await using var server = await LiveServer.StartAsync();
        var user = await server.PostJsonAsync(Portal(server, "/users"), new { name = "Ann", lastName = "Lee", email = "ann@example.com" });
        Assert.True(user.Status == HttpStatusCode.Created, user.Raw);
        var id = user.Json.GetProperty("id").GetInt64();
        Assert.False(user.Json.GetProperty("admin").GetBoolean());

        var hook = await server.PostJsonAsync(Portal(server, "/webhooks"), new { user = id, scopes = new[] { "mailservice", "user" } });
        Assert.True(hook.Status == HttpStatusCode.Created, hook.Raw);
        var url = hook.Json.GetProperty("url").GetString()!;
        Assert.StartsWith(server.HttpsBase + "/rest/" + id + "/", url);
        Assert.Equal(16, hook.Json.GetProperty("secret").GetString()!.Length);
        var current = await server.GetAsync(url + "user.current");
        Assert.True(current.Status == HttpStatusCode.OK, current.Raw);
        Assert.Equal("Ann", current.Result.GetProperty("NAME").GetString());

        // Listed, but never with its secret.
        var listed = await server.GetAsync(Portal(server, "/webhooks"));
        Assert.DoesNotContain(hook.Json.GetProperty("secret").GetString()!, listed.Raw);
        Assert.Contains(listed.Json.GetProperty("webhooks").EnumerateArray(), w => w.GetProperty("id").GetInt64() == hook.Json.GetProperty("id").GetInt64());
        Assert.Contains((await server.GetAsync(Portal(server, "/users"))).Json.GetProperty("users").EnumerateArray(), u => u.GetProperty("id").GetInt64() == id);

        // Deactivating the user stops its webhook; activating it again brings it back.
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(Portal(server, $"/users/{id}"), new { active = false })).Status);
        Assert.NotEqual(HttpStatusCode.OK, (await server.GetAsync(url + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(Portal(server, $"/users/{id}"), new { active = true })).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(url + "mailservice.list")).Status);

        // A deactivated webhook is refused; a removed one is gone.
        var hookId = hook.Json.GetProperty("id").GetInt64();
        var off = await server.PostJsonAsync(Portal(server, $"/webhooks/{hookId}"), new { active = false });
        Assert.True(off.Status == HttpStatusCode.OK, off.Raw);
        Assert.False(off.Json.GetProperty("active").GetBoolean());
        Assert.NotEqual(HttpStatusCode.OK, (await server.GetAsync(url + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(new HttpRequestMessage(HttpMethod.Delete, Portal(server, $"/webhooks/{hookId}")))).Status);
        AssertProblem(await server.SendAsync(new HttpRequestMessage(HttpMethod.Delete, Portal(server, $"/webhooks/{hookId}"))), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_app_gets_a_token_that_refreshes_at_the_token_endpoint_and_can_be_restricted()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.PostJsonAsync(Portal(server, "/apps"), new { name = "Demo", scopes = new[] { "mailservice" }, redirectUri = "https://app.example/callback" });
        Assert.True(app.Status == HttpStatusCode.Created, app.Raw);
        var clientId = app.Json.GetProperty("clientId").GetString()!;
        var secret = app.Json.GetProperty("clientSecret").GetString()!;

        var token = await server.PostJsonAsync(Portal(server, $"/apps/{clientId}/tokens"), new { user = 1 });
        Assert.True(token.Status == HttpStatusCode.Created, token.Raw);
        Assert.Equal(server.HttpsBase + "/rest/", token.Json.GetProperty("client_endpoint").GetString());
        var access = token.Json.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + access)).Status);

        var refreshed = await server.PostFormAsync(server.HttpsBase + "/oauth/token/",
            $"grant_type=refresh_token&client_id={clientId}&client_secret={secret}&refresh_token={token.Json.GetProperty("refresh_token").GetString()}");
        Assert.True(refreshed.Status == HttpStatusCode.OK, refreshed.Raw);

        var other = (await server.PostJsonAsync(Portal(server, "/users"), new { name = "Bob" })).Json.GetProperty("id").GetInt64();
        var restricted = await server.PostJsonAsync(Portal(server, $"/apps/{clientId}/users"), new { users = new[] { other } });
        Assert.True(restricted.Status == HttpStatusCode.OK, restricted.Raw);
        var denied = await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + refreshed.Json.GetProperty("access_token").GetString());
        Assert.Equal("user_access_error", denied.Error);
    }

    [Fact]
    public async Task Bad_bodies_are_refused_with_every_problem_and_store_nothing()
    {
        await using var server = await LiveServer.StartAsync();
        var users = (await server.GetAsync(Portal(server, "/users"))).Raw;
        var webhooks = (await server.GetAsync(Portal(server, "/webhooks"))).Raw;

        AssertProblem(await server.PostJsonAsync(Portal(server, "/users"), new { name = "", admin = "yes", role = 1 }), HttpStatusCode.BadRequest, "$.name", "$.admin", "$.role");
        AssertProblem(await server.PostJsonAsync(Portal(server, "/users"), "[1]"), HttpStatusCode.BadRequest, "$");
        AssertProblem(await server.PostJsonAsync(Portal(server, "/users"), "{"), HttpStatusCode.BadRequest);
        AssertProblem(await server.PostJsonAsync(Portal(server, "/webhooks"), new { user = 0, scopes = new[] { "Mail Service" }, expiresIn = -1 }), HttpStatusCode.BadRequest, "$.user", "$.scopes", "$.expiresIn");
        AssertProblem(await server.PostJsonAsync(Portal(server, "/webhooks"), new { scopes = new[] { "mailservice" } }), HttpStatusCode.BadRequest, "$.user");
        // A user that does not exist is a refused reference, not a missing resource.
        AssertProblem(await server.PostJsonAsync(Portal(server, "/webhooks"), new { user = 99, scopes = new[] { "mailservice" } }), HttpStatusCode.BadRequest);
        AssertProblem(await server.PostJsonAsync(Portal(server, "/apps"), new { name = "X", scopes = new[] { "mailservice" }, redirectUri = "ftp://x" }), HttpStatusCode.BadRequest, "$.redirectUri");
        AssertProblem(await server.PostJsonAsync(Portal(server, "/apps/local.nope/tokens"), new { user = 1 }), HttpStatusCode.NotFound);
        AssertProblem(await server.PostJsonAsync(Portal(server, "/users/77"), new { active = false }), HttpStatusCode.NotFound);
        AssertProblem(await server.PostJsonAsync(server.HttpsBase + "/_b24mail/portals/nope/users", new { name = "X" }), HttpStatusCode.NotFound);

        Assert.Equal(users, (await server.GetAsync(Portal(server, "/users"))).Raw);
        Assert.Equal(webhooks, (await server.GetAsync(Portal(server, "/webhooks"))).Raw);
    }

    [Fact]
    public async Task A_token_for_a_user_the_app_does_not_know_or_an_inactive_user_is_refused()
    {
        await using var server = await LiveServer.StartAsync();
        var clientId = (await server.PostJsonAsync(Portal(server, "/apps"), new { name = "Demo", scopes = new[] { "mailservice" }, redirectUri = "https://app.example/" }))
            .Json.GetProperty("clientId").GetString()!;
        AssertProblem(await server.PostJsonAsync(Portal(server, $"/apps/{clientId}/tokens"), new { user = 42 }), HttpStatusCode.BadRequest);
        AssertProblem(await server.PostJsonAsync(Portal(server, $"/apps/{clientId}/users"), new { users = new[] { 42 } }), HttpStatusCode.BadRequest);
        var user = (await server.PostJsonAsync(Portal(server, "/users"), new { name = "Ann" })).Json.GetProperty("id").GetInt64();
        await server.PostJsonAsync(Portal(server, $"/users/{user}"), new { active = false });
        AssertProblem(await server.PostJsonAsync(Portal(server, $"/apps/{clientId}/tokens"), new { user }), HttpStatusCode.BadRequest);
    }
}
