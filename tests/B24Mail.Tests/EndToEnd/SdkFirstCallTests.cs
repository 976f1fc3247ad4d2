using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using B24Mail.Rest.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// The calls SDKs make before any business method: the token answer's endpoints, the authorization server's
/// <c>app.info</c> (docs/decisions.md #25), signed answers to calls that carry <c>state</c> (#26), the user times of
/// <c>user.current</c> (#28), parameter names in any case (#29) and the cache headers (#30). Each request is
/// the one a real SDK sends.
/// </summary>
public sealed class SdkFirstCallTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private static void AssertOk(RestResponse response) =>
        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Raw}");

    // ---------- server_endpoint and the authorization server's app.info ----------

    [Fact]
    public async Task The_token_answer_points_server_endpoint_at_the_authorization_server()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice", "user");
        var token = await server.LoginAsync(app, 1);
        Assert.Equal(server.HttpsBase + "/rest/", token.GetProperty("client_endpoint").GetString());
        Assert.Equal(server.HttpsBase + "/oauth/rest/", token.GetProperty("server_endpoint").GetString());
    }

    [Fact]
    public async Task App_info_on_the_authorization_server_has_the_form_the_python_sdk_reads()
    {
        var clock = new ManualClock(Start);
        await using var server = await LiveServer.StartAsync(clock);
        var portal = await server.PortalAsync();
        var app = await server.AddAppAsync(portal, "user", "mailservice");
        var token = await server.LoginAsync(app, 1);
        var serverEndpoint = token.GetProperty("server_endpoint").GetString()!;

        // The official Python SDK: GET <oauth host>/rest/app.info/?auth=TOKEN.
        var response = await server.GetAsync(serverEndpoint + "app.info/?auth=" + token.GetProperty("access_token").GetString());
        AssertOk(response);
        var result = response.Result;
        Assert.Equal(["client_id", "scope", "expires", "install", "user_id"], result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(app.App.ClientId, result.GetProperty("client_id").GetString());
        Assert.Equal("mailservice,user", result.GetProperty("scope").GetString());
        // datetime.fromisoformat: an offset, never Z; an hour after the token was issued.
        var expires = result.GetProperty("expires").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", expires);
        Assert.Equal(Start.AddHours(1), DateTimeOffset.ParseExact(expires, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        Assert.Equal(JsonValueKind.Number, result.GetProperty("user_id").ValueKind);
        Assert.Equal(1, result.GetProperty("user_id").GetInt64());

        var install = result.GetProperty("install");
        Assert.Equal(["installed", "version", "status", "scope", "domain", "uri", "client_endpoint", "member_id", "member_type"], install.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.True, install.GetProperty("installed").ValueKind);
        Assert.Equal(1, install.GetProperty("version").GetInt32());
        Assert.Contains(install.GetProperty("status").GetString(), new[] { "F", "D", "T", "P", "L", "S" });
        Assert.Equal("mailservice,user", install.GetProperty("scope").GetString());
        // The SDK checks these two against what the token answer said.
        Assert.Equal(token.GetProperty("member_id").GetString(), install.GetProperty("member_id").GetString());
        Assert.Equal(token.GetProperty("domain").GetString(), install.GetProperty("domain").GetString());
        Assert.Equal(token.GetProperty("client_endpoint").GetString(), install.GetProperty("client_endpoint").GetString());
        Assert.Equal(portal.MemberId, install.GetProperty("member_id").GetString());
        Assert.True(response.Json.TryGetProperty("time", out _), response.Raw);

        // The portal's own app.info keeps the portal's form.
        var portalForm = await server.GetAsync(server.HttpsBase + "/rest/app.info?auth=" + token.GetProperty("access_token").GetString());
        AssertOk(portalForm);
        Assert.True(portalForm.Result.TryGetProperty("LICENSE_FAMILY", out _), portalForm.Raw);
    }

    [Fact]
    public async Task The_authorization_server_refuses_unknown_and_expired_tokens_and_other_methods()
    {
        var clock = new ManualClock(Start);
        await using var server = await LiveServer.StartAsync(clock);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var token = await server.LoginAsync(app, 1);
        var access = token.GetProperty("access_token").GetString()!;
        var endpoint = server.HttpsBase + "/oauth/rest/";

        var unknown = await server.GetAsync(endpoint + "app.info?auth=" + new string('x', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
        Assert.Equal("invalid_token", unknown.Error);
        var missing = await server.GetAsync(endpoint + "app.info/");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal("invalid_token", missing.Error);
        var other = await server.GetAsync(endpoint + "mailservice.list?auth=" + access);
        Assert.Equal(HttpStatusCode.NotFound, other.Status);
        Assert.Equal("ERROR_METHOD_NOT_FOUND", other.Error);

        clock.Advance(TimeSpan.FromHours(1));
        var expired = await server.GetAsync(endpoint + "app.info.json?auth=" + access);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("expired_token", expired.Error);
    }

    [Fact]
    public async Task An_sdk_that_derives_its_oauth_host_from_server_endpoint_refreshes_there()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var token = await server.LoginAsync(app, 1);
        // b24jssdk: serverEndpoint with "/rest/" removed is the OAuth host, and the token path follows it.
        var oauthHost = token.GetProperty("server_endpoint").GetString()!.Replace("/rest/", "");
        var refreshed = await server.PostFormAsync(oauthHost + "/oauth/token/",
            $"grant_type=refresh_token&client_id={app.App.ClientId}&client_secret={app.ClientSecret}&refresh_token={token.GetProperty("refresh_token").GetString()}");
        AssertOk(refreshed);
        Assert.NotEqual(token.GetProperty("access_token").GetString(), refreshed.Json.GetProperty("access_token").GetString());
        // And at the portal's own /oauth/token/, where the other SDKs refresh.
        var again = await server.TokenAsync(app, "refresh_token", "refresh_token", refreshed.Json.GetProperty("refresh_token").GetString()!);
        AssertOk(again);
    }

    // ---------- state and signature ----------

    /// <summary>Verifies a signature as the older PHP SDK does and returns the signed fields, <c>state</c> removed.</summary>
    private static Dictionary<string, JsonElement> Verify(string signature, string memberId, string clientSecret, string state)
    {
        var dot = signature.LastIndexOf('.');
        Assert.True(dot > 0, signature);
        var data = signature[..dot];
        var key = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(memberId + clientSecret)));
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(data)));
        Assert.Equal(expected, signature[(dot + 1)..]);
        var fields = JsonDocument.Parse(Convert.FromBase64String(data)).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        Assert.Equal(state, fields["state"].GetString());
        fields.Remove("state");
        return fields;
    }

    [Fact]
    public async Task A_call_with_state_is_answered_with_a_signature_the_sdk_can_verify()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = await server.PortalAsync();
        var ada = await server.Services.GetRequiredService<IIdentityStore>().AddUserAsync(portal.Id, "Ada", "Lovelace", "ada@example.test", false);
        var app = await server.AddAppAsync(portal, "mailservice", "user");
        var access = (await server.LoginAsync(app, ada.Id)).GetProperty("access_token").GetString()!;
        const string State = "salt-1234";

        // User::current() of the older PHP SDK: user.current with state.
        var current = await server.PostFormAsync(server.HttpsBase + "/rest/user.current", $"auth={access}&state={State}");
        AssertOk(current);
        var signed = Verify(current.Json.GetProperty("signature").GetString()!, portal.MemberId, app.ClientSecret, State);
        Assert.Equal(ada.Id.ToString(CultureInfo.InvariantCulture), signed["ID"].GetString());
        Assert.Equal("Ada", signed["NAME"].GetString());
        Assert.Equal("Lovelace", signed["LAST_NAME"].GetString());
        // Merged into the result by the SDK, every signed field agrees with it.
        foreach (var (name, value) in signed) Assert.Equal(value.ToString(), current.Result.GetProperty(name).ToString());
        Assert.False(current.Result.TryGetProperty("state", out _), current.Raw);

        var profile = await server.PostJsonAsync(server.HttpsBase + "/rest/profile", new { auth = access, state = State });
        AssertOk(profile);
        Assert.Equal("Ada", Verify(profile.Json.GetProperty("signature").GetString()!, portal.MemberId, app.ClientSecret, State)["NAME"].GetString());

        var appInfo = await server.GetAsync(server.HttpsBase + $"/rest/app.info?auth={access}&state=x.y");
        AssertOk(appInfo);
        Assert.Equal(app.App.Id, Verify(appInfo.Json.GetProperty("signature").GetString()!, portal.MemberId, app.ClientSecret, "x.y")["ID"].GetInt64());

        // A wrong secret does not verify.
        var otherKey = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(portal.MemberId + "not-the-secret")));
        var signature = profile.Json.GetProperty("signature").GetString()!;
        Assert.NotEqual(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(otherKey), Encoding.UTF8.GetBytes(signature[..signature.LastIndexOf('.')]))), signature[(signature.LastIndexOf('.') + 1)..]);
    }

    [Fact]
    public async Task Without_state_or_without_an_app_there_is_no_signature_and_state_never_reaches_a_method()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice", "user");
        var access = (await server.LoginAsync(app, 1)).GetProperty("access_token").GetString()!;

        var plain = await server.GetAsync(server.HttpsBase + "/rest/profile?auth=" + access);
        AssertOk(plain);
        Assert.False(plain.Json.TryGetProperty("signature", out _), plain.Raw);

        // A webhook has no client_secret to key a signature with.
        var hook = await server.GetAsync(server.Webhook + "profile?state=abc");
        AssertOk(hook);
        Assert.False(hook.Json.TryGetProperty("signature", out _), hook.Raw);

        // A method that signs nothing is answered as usual, and state is not taken for a field.
        var list = await server.GetAsync(server.HttpsBase + $"/rest/mailservice.list?auth={access}&state=abc");
        AssertOk(list);
        Assert.False(list.Json.TryGetProperty("signature", out _), list.Raw);
        var add = await server.PostJsonAsync(server.Webhook + "mailservice.add", new { NAME = "With state", state = "s" });
        AssertOk(add);
    }

    // ---------- user.current times ----------

    [Fact]
    public async Task User_current_has_last_login_and_date_register_as_iso_dates()
    {
        var clock = new ManualClock(Start);
        await using var server = await LiveServer.StartAsync(clock);
        var portal = await server.PortalAsync();
        clock.Advance(TimeSpan.FromDays(2));
        var user = await server.Services.GetRequiredService<IIdentityStore>().AddUserAsync(portal.Id, "Grace", "Hopper", "", false);
        var hook = await server.AddWebhookAsync(user.Id, "user");
        var response = await server.GetAsync(hook + "user.current");
        AssertOk(response);
        var registered = response.Result.GetProperty("DATE_REGISTER").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", registered);
        Assert.Equal(Start.AddDays(2), DateTimeOffset.ParseExact(registered, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        // Never signed in: the last login is the registration.
        Assert.Equal(registered, response.Result.GetProperty("LAST_LOGIN").GetString());

        // Approving on the consent page is this server's sign-in.
        clock.Advance(TimeSpan.FromHours(5));
        var app = await server.AddAppAsync(portal, "user");
        var access = (await server.LoginAsync(app, user.Id)).GetProperty("access_token").GetString()!;
        var after = await server.GetAsync(server.HttpsBase + "/rest/user.current?auth=" + access);
        AssertOk(after);
        Assert.Equal(Start.AddDays(2).AddHours(5), DateTimeOffset.ParseExact(after.Result.GetProperty("LAST_LOGIN").GetString()!, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        Assert.Equal(registered, after.Result.GetProperty("DATE_REGISTER").GetString());
    }

    // ---------- parameter names in any case, PHP truth ----------

    [Fact]
    public async Task Access_methods_and_batch_take_their_parameter_names_in_any_case()
    {
        await using var server = await LiveServer.StartAsync();
        var names = await server.PostJsonAsync(server.Webhook + "access.name", """{"access":["AU"]}""");
        AssertOk(names);
        Assert.Equal("All authorized users", names.Result.GetProperty("AU").GetProperty("name").GetString());

        var user = await server.AddUserAsync(admin: false);
        var hook = await server.AddWebhookAsync(user, "mailservice");
        var access = await server.GetAsync(hook + $"user.access?access[]=U{user}");
        AssertOk(access);
        Assert.Equal(JsonValueKind.True, access.Result.ValueKind);

        // halt=N is PHP-true: the batch stops at the first error; halt=0 does not.
        var halted = await server.PostJsonAsync(server.Webhook + "batch", """{"CMD":{"a":"mailservice.get?ID=999999","b":"scope"},"HALT":"N"}""");
        AssertOk(halted);
        // Nothing ran after the error, so the result map is empty: PHP's [] .
        Assert.Equal(JsonValueKind.Array, halted.Result.GetProperty("result").ValueKind);
        var notHalted = await server.PostJsonAsync(server.Webhook + "batch", """{"cmd":{"a":"mailservice.get?ID=999999","b":"scope"},"halt":0}""");
        AssertOk(notHalted);
        Assert.True(notHalted.Result.GetProperty("result").TryGetProperty("b", out _), notHalted.Raw);
    }

    // ---------- cache headers ----------

    [Fact]
    public async Task Every_rest_and_oauth_answer_forbids_caching()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var token = await server.LoginAsync(app, 1);
        var access = token.GetProperty("access_token").GetString()!;
        var answers = new[]
        {
            await server.GetAsync(server.Webhook + "mailservice.list"),
            await server.GetAsync(server.Webhook + "no.such.method"),
            await server.GetAsync(server.HttpsBase + "/rest/profile"),
            await server.GetAsync(server.HttpsBase + "/rest/1/wrongsecret000000/profile"),
            await server.GetAsync(server.Webhook + "batch.xml?cmd[a]=scope"),
            await server.TokenAsync(app, "refresh_token", "refresh_token", "nope"),
            await server.GetAsync(server.HttpsBase + "/oauth/rest/app.info?auth=" + access),
            await server.GetAsync(server.HttpsBase + "/oauth/authorize/?client_id=" + app.App.ClientId),
        };
        foreach (var answer in answers)
        {
            Assert.Equal("no-store, no-cache, must-revalidate", answer.Message.Headers.NonValidated["Cache-Control"].ToString());
            Assert.Equal("no-cache", answer.Message.Headers.NonValidated["Pragma"].ToString());
        }
        using var client = OAuthTestKit.NoRedirectClient(server);
        var redirect = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&state=s&user_id=1&approve=Y");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("no-store, no-cache, must-revalidate", redirect.Headers.NonValidated["Cache-Control"].ToString());
    }
}
