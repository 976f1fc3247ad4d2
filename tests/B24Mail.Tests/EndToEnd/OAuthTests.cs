using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using B24Mail.Rest.OAuth;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>OAuth 2.0 as docs/protocol.md §5 describes it, and every expiry driven by an injected clock.</summary>
public sealed class OAuthTests
{
    private static readonly string[] TokenFields =
        ["access_token", "client_endpoint", "domain", "expires", "expires_in", "member_id", "refresh_token", "scope", "server_endpoint", "status", "user_id"];

    [Fact]
    public async Task Consent_code_exchange_and_a_rest_call_with_the_token()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var portal = await server.PortalAsync();
        var app = await server.AddAppAsync(portal, "mailservice", "user");

        using var client = OAuthTestKit.NoRedirectClient(server);
        var page = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&state=abc");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Test App", html);
        Assert.Contains("<button", html);
        Assert.Contains("name=\"user_id\"", html);

        var redirect = await server.ApproveAsync(app, 1, "s t&ate");
        Assert.Equal(["code", "state", "domain", "member_id", "scope", "server_domain"], redirect.Keys);
        Assert.Equal("s t&ate", redirect["state"]);
        Assert.Equal(portal.MemberId, redirect["member_id"]);
        Assert.Equal("mailservice,user", redirect["scope"]);
        Assert.Equal(new Uri(server.HttpsBase).Authority, redirect["domain"]);

        var token = await server.TokenAsync(app, "authorization_code", "code", redirect["code"]);
        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Equal(TokenFields, token.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3600, token.Json.GetProperty("expires_in").GetInt64());
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds() + 3600, token.Json.GetProperty("expires").GetInt64());
        Assert.Equal(server.HttpsBase + "/rest/", token.Json.GetProperty("client_endpoint").GetString());
        Assert.Equal(server.HttpsBase + "/oauth/rest/", token.Json.GetProperty("server_endpoint").GetString());
        Assert.Equal(portal.MemberId, token.Json.GetProperty("member_id").GetString());
        Assert.Equal("L", token.Json.GetProperty("status").GetString());
        Assert.Equal(1, token.Json.GetProperty("user_id").GetInt64());

        var access = token.Json.GetProperty("access_token").GetString()!;
        var viaBody = await server.PostJsonAsync(server.HttpsBase + "/rest/mailservice.list", new { auth = access });
        Assert.Equal(HttpStatusCode.OK, viaBody.Status);
        Assert.Equal(8, viaBody.Result.GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.get?ID=1&access_token=" + access)).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest//mailservice.fields.json?auth=" + access)).Status);
        var bearer = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/rest/user.current");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        var current = await server.SendAsync(bearer);
        Assert.Equal("1", current.Result.GetProperty("ID").GetString());
        // OAuth calls are allowed over plain HTTP (docs/decisions.md #17).
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpBase + "/rest/mailservice.fields?auth=" + access)).Status);
    }

    [Fact]
    public async Task The_token_endpoint_answers_get_as_well()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var redirect = await server.ApproveAsync(app, 1);
        var response = await server.GetAsync($"{server.HttpsBase}/oauth/token/?grant_type=authorization_code&client_id={app.App.ClientId}&client_secret={app.ClientSecret}&code={redirect["code"]}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("mailservice", response.Json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_code_is_used_once_and_lives_thirty_seconds()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");

        var once = await server.ApproveAsync(app, 1);
        Assert.Equal(HttpStatusCode.OK, (await server.TokenAsync(app, "authorization_code", "code", once["code"])).Status);
        AssertOAuthError(await server.TokenAsync(app, "authorization_code", "code", once["code"]), HttpStatusCode.BadRequest, "invalid_grant");

        var fresh = await server.ApproveAsync(app, 1);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.OK, (await server.TokenAsync(app, "authorization_code", "code", fresh["code"])).Status);

        var stale = await server.ApproveAsync(app, 1);
        clock.Advance(TimeSpan.FromSeconds(31));
        AssertOAuthError(await server.TokenAsync(app, "authorization_code", "code", stale["code"]), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Access_tokens_expire_after_an_hour_and_refresh_rotates_the_pair()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var first = await server.LoginAsync(app, 1);
        var access = first.GetProperty("access_token").GetString()!;
        var refresh = first.GetProperty("refresh_token").GetString()!;

        clock.Advance(TimeSpan.FromSeconds(3599));
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + access)).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + access);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("expired_token", expired.Error);
        Assert.Equal("The access token provided has expired", expired.ErrorDescription);

        var second = await server.TokenAsync(app, "refresh_token", "refresh_token", refresh);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(TokenFields, second.Json.EnumerateObject().Select(p => p.Name));
        var newAccess = second.Json.GetProperty("access_token").GetString()!;
        var newRefresh = second.Json.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(access, newAccess);
        Assert.NotEqual(refresh, newRefresh);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + newAccess)).Status);

        // The old refresh token is spent.
        AssertOAuthError(await server.TokenAsync(app, "refresh_token", "refresh_token", refresh), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.OK, (await server.TokenAsync(app, "refresh_token", "refresh_token", newRefresh)).Status);
    }

    [Fact]
    public async Task Refresh_tokens_expire_after_180_days()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var refresh = (await server.LoginAsync(app, 1)).GetProperty("refresh_token").GetString()!;
        var keep = (await server.LoginAsync(app, 1)).GetProperty("refresh_token").GetString()!;
        clock.Advance(TimeSpan.FromDays(180) - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await server.TokenAsync(app, "refresh_token", "refresh_token", keep)).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        AssertOAuthError(await server.TokenAsync(app, "refresh_token", "refresh_token", refresh), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Token_lifetimes_are_settings()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock, "--access-token-lifetime", "5", "--refresh-token-lifetime", "60");
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var tokens = await server.LoginAsync(app, 1);
        Assert.Equal(5, tokens.GetProperty("expires_in").GetInt64());
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("expired_token", (await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + tokens.GetProperty("access_token").GetString())).Error);
        clock.Advance(TimeSpan.FromSeconds(55));
        AssertOAuthError(await server.TokenAsync(app, "refresh_token", "refresh_token", tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Token_endpoint_errors()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var other = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var code = (await server.ApproveAsync(app, 1))["code"];

        AssertOAuthError(await server.TokenAsync(app, "authorization_code", "code", code, secret: "wrong"), HttpStatusCode.Unauthorized, "invalid_client");
        AssertOAuthError(await server.PostFormAsync(server.HttpsBase + "/oauth/token/", $"grant_type=authorization_code&client_id=local.nope.1&client_secret=x&code={code}"), HttpStatusCode.Unauthorized, "invalid_client");
        AssertOAuthError(await server.TokenAsync(app, "password", "code", code), HttpStatusCode.BadRequest, "invalid_request");
        AssertOAuthError(await server.PostFormAsync(server.HttpsBase + "/oauth/token/", $"grant_type=authorization_code&client_id={app.App.ClientId}&client_secret={app.ClientSecret}"), HttpStatusCode.BadRequest, "invalid_request");
        AssertOAuthError(await server.PostFormAsync(server.HttpsBase + "/oauth/token/", ""), HttpStatusCode.BadRequest, "invalid_request");
        AssertOAuthError(await server.TokenAsync(app, "refresh_token", "refresh_token", "not-a-token"), HttpStatusCode.BadRequest, "invalid_grant");
        // A code belongs to its app: another app cannot spend it, and trying uses it up.
        AssertOAuthError(await server.TokenAsync(other, "authorization_code", "code", code), HttpStatusCode.BadRequest, "invalid_grant");
        AssertOAuthError(await server.TokenAsync(app, "authorization_code", "code", code), HttpStatusCode.BadRequest, "invalid_grant");
        // A refresh token belongs to its app too.
        var refresh = (await server.LoginAsync(app, 1)).GetProperty("refresh_token").GetString()!;
        AssertOAuthError(await server.TokenAsync(other, "refresh_token", "refresh_token", refresh), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.OK, (await server.TokenAsync(app, "refresh_token", "refresh_token", refresh)).Status);
    }

    [Fact]
    public async Task Bad_tokens_and_scopes_at_the_rest_endpoint()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = await server.PortalAsync();
        var unknown = await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=nonsense");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
        Assert.Equal("invalid_token", unknown.Error);

        var userOnly = await server.AddAppAsync(portal, "user");
        var token = (await server.LoginAsync(userOnly, 1)).GetProperty("access_token").GetString()!;
        var denied = await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + token);
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal("insufficient_scope", denied.Error);
        Assert.Equal("The request requires higher privileges than provided by the access token", denied.ErrorDescription);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/user.current?auth=" + token)).Status);
        // An unknown method is still 404 first.
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync(server.HttpsBase + "/rest/no.such?auth=" + token)).Status);
    }

    [Fact]
    public async Task A_call_runs_with_the_users_rights()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = await server.PortalAsync();
        var userId = await server.AddUserAsync(admin: false);
        var app = await server.AddAppAsync(portal, "mailservice");
        var token = (await server.LoginAsync(app, userId)).GetProperty("access_token").GetString()!;
        MailServiceMethodTests.AssertCoreError(await server.PostJsonAsync(server.HttpsBase + "/rest/mailservice.add", new { auth = token, NAME = "x" }), "Access denied");
        var admin = (await server.LoginAsync(app, 1)).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(server.HttpsBase + "/rest/mailservice.add", new { auth = admin, NAME = "x" })).Status);
    }

    [Fact]
    public async Task An_inactive_users_webhooks_and_tokens_stop_working()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = await server.PortalAsync();
        var userId = await server.AddUserAsync(admin: true);
        var hook = await server.AddWebhookAsync(userId, "mailservice");
        var app = await server.AddAppAsync(portal, "mailservice");
        var tokens = await server.LoginAsync(app, userId);
        var identity = server.Services.GetRequiredService<B24Mail.Rest.Identity.IIdentityStore>();

        await identity.SetUserActiveAsync(portal.Id, userId, false);
        Assert.Equal("INVALID_CREDENTIALS", (await server.GetAsync(hook + "mailservice.list")).Error);
        var byToken = await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + tokens.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, byToken.Status);
        Assert.Equal("authorization_error", byToken.Error);
        AssertOAuthError(await server.TokenAsync(app, "refresh_token", "refresh_token", tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");

        // The consent page does not offer an inactive user either.
        using var client = OAuthTestKit.NoRedirectClient(server);
        var approve = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&user_id={userId}&approve=Y");
        Assert.Equal(HttpStatusCode.BadRequest, approve.StatusCode);

        await identity.SetUserActiveAsync(portal.Id, userId, true);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hook + "mailservice.list")).Status);
    }

    [Fact]
    public async Task Webhooks_expire_and_can_be_deactivated()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock);
        var portal = await server.PortalAsync();
        var provisioning = server.Services.GetRequiredService<B24Mail.Server.Hosting.Provisioning>();
        var hook = server.HttpsBase + (await provisioning.AddWebhookAsync(portal, 1, ["mailservice"], "expiring", TimeSpan.FromHours(1))).Path;
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hook + "mailservice.fields")).Status);
        clock.Advance(TimeSpan.FromHours(1));
        var expired = await server.GetAsync(hook + "mailservice.fields");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("INVALID_CREDENTIALS", expired.Error);

        var identity = server.Services.GetRequiredService<B24Mail.Rest.Identity.IIdentityStore>();
        var id = (await identity.ListWebhooksAsync(portal.Id)).First().Id;
        await identity.SetWebhookActiveAsync(portal.Id, id, false);
        Assert.Equal("INVALID_CREDENTIALS", (await server.GetAsync(server.Webhook + "mailservice.fields")).Error);
    }

    [Fact]
    public async Task The_consent_page_can_be_switched_off()
    {
        await using var server = await LiveServer.StartAsync("--oauth-consent", "false");
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        using var client = OAuthTestKit.NoRedirectClient(server);
        var response = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&user_id=1&approve=Y");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var issued = await server.Services.GetRequiredService<OAuthServer>().IssueAsync(app.App, (await server.Services.GetRequiredService<B24Mail.Rest.Identity.IIdentityStore>().FindUserAsync(app.App.PortalId, 1))!, default);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/mailservice.fields?auth=" + issued.AccessToken)).Status);
    }

    [Fact]
    public async Task The_consent_page_escapes_what_it_shows_and_refuses_unknown_apps()
    {
        await using var server = await LiveServer.StartAsync();
        using var client = OAuthTestKit.NoRedirectClient(server);
        var unknown = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id=local.none.1&state=x");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var page = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&state=%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    internal static void AssertOAuthError(RestResponse response, HttpStatusCode status, string error)
    {
        Assert.True(response.Status == status, $"{response.Status}: {response.Raw}");
        Assert.Equal(error, response.Error);
        Assert.Equal(JsonValueKind.String, response.Json.GetProperty("error_description").ValueKind);
    }
}
