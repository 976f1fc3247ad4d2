using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using B24Mail.Rest.Identity;
using B24Mail.Rest.OAuth;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// The common (basic) methods of docs/protocol.md §6.3 and <c>user.current</c> (§6.1), over real HTTPS, with webhooks and
/// OAuth tokens made through the server's own stores.
/// </summary>
public sealed class CommonMethodTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LiveServer Server => fixture.Server;

    /// <summary>The basic methods this server implements; each needs no scope (docs/protocol.md §6.1).</summary>
    private static readonly string[] ImplementedBasic =
        ["access.name", "app.info", "feature.get", "method.get", "methods", "profile", "scope", "server.time", "user.access", "user.admin"];

    private static readonly string[] MailServiceMethods =
        ["mailservice.add", "mailservice.delete", "mailservice.fields", "mailservice.get", "mailservice.list", "mailservice.update"];

    private const string WebhookScopeDescription = "The request requires higher privileges than provided by the webhook token";

    /// <summary>docs/protocol.md §6.1: the only names a basic method may have.</summary>
    private static bool IsSpecBasicName(string name) =>
        name is "scope" or "methods" or "method.get" or "app.info" or "profile" or "user.admin" or "user.access" or "access.name"
            or "feature.get" or "server.time" or "batch" or "events"
        || name.StartsWith("event.", StringComparison.Ordinal)
        || name.StartsWith("app.option.", StringComparison.Ordinal)
        || name.StartsWith("user.option.", StringComparison.Ordinal);

    // ---------- helpers ----------

    private static void AssertOk(RestResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Raw}");
        Assert.True(response.Json.TryGetProperty("time", out _), response.Raw);
    }

    private static void AssertError(RestResponse response, HttpStatusCode status, string error, string description)
    {
        Assert.True(response.Status == status, $"{(int)response.Status}: {response.Raw}");
        Assert.Equal(error, response.Error);
        Assert.Equal(description, response.ErrorDescription);
        Assert.False(response.Json.TryGetProperty("time", out _), response.Raw);
        Assert.False(response.Json.TryGetProperty("result", out _), response.Raw);
    }

    private static string[] Strings(JsonElement array)
    {
        Assert.Equal(JsonValueKind.Array, array.ValueKind);
        return array.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    private async Task<string[]> MethodsAsync(string hook, string query = "")
    {
        var response = await Server.GetAsync(hook + "methods" + query);
        AssertOk(response);
        return Strings(response.Result);
    }

    private async Task<(bool Existing, bool Available)> MethodGetAsync(string url)
    {
        var response = await Server.GetAsync(url);
        AssertOk(response);
        var result = response.Result;
        Assert.Equal(JsonValueKind.Object, result.ValueKind);
        Assert.Equal(["isExisting", "isAvailable"], result.EnumerateObject().Select(p => p.Name));
        var existing = result.GetProperty("isExisting");
        var available = result.GetProperty("isAvailable");
        Assert.True(existing.ValueKind is JsonValueKind.True or JsonValueKind.False, response.Raw);
        Assert.True(available.ValueKind is JsonValueKind.True or JsonValueKind.False, response.Raw);
        return (existing.GetBoolean(), available.GetBoolean());
    }

    private IIdentityStore Identity => (IIdentityStore)Server.Services.GetService(typeof(IIdentityStore))!;

    private async Task<Portal> DefaultPortalAsync() => (await Identity.FindPortalAsync("default"))!;

    private async Task<PortalUser> AddUserAsync(string name, string lastName, string email, bool admin)
    {
        var portal = await DefaultPortalAsync();
        return await Identity.AddUserAsync(portal.Id, name, lastName, email, admin);
    }

    /// <summary>Installs an app on the default portal through the real store and issues a token pair for a user.</summary>
    private async Task<(OAuthApp App, string Token)> IssueTokenAsync(long userId, params string[] scopes)
    {
        var portal = await DefaultPortalAsync();
        var store = (IOAuthStore)Server.Services.GetService(typeof(IOAuthStore))!;
        var secret = Secrets.NewClientSecret();
        var app = await store.AddAppAsync(portal.Id, Secrets.NewClientId(), Secrets.Hash(secret), "Test App", scopes, "https://app.example/cb", "local.test");
        var user = await Identity.FindUserAsync(portal.Id, userId);
        Assert.NotNull(user);
        var oauth = (OAuthServer)Server.Services.GetService(typeof(OAuthServer))!;
        var issued = await oauth.IssueAsync(app, user, TestContext.Current.CancellationToken);
        return (app, issued.AccessToken);
    }

    private string Rest(string method) => Server.HttpsBase + "/rest/" + method;

    // ---------- scope ----------

    [Fact]
    public async Task Scope_lists_the_webhooks_own_scopes_sorted()
    {
        var hook = await Server.AddWebhookAsync(1, "user_brief", "mailservice", "user");
        var response = await Server.GetAsync(hook + "scope");
        AssertOk(response);
        Assert.Equal(["mailservice", "user", "user_brief"], Strings(response.Result));

        var bootstrap = await Server.GetAsync(Server.Webhook + "scope");
        AssertOk(bootstrap);
        Assert.Equal(["mailservice"], Strings(bootstrap.Result));
    }

    [Fact]
    public async Task Scope_of_a_webhook_without_scopes_is_an_empty_array()
    {
        var hook = await Server.AddWebhookAsync(1);
        var response = await Server.GetAsync(hook + "scope");
        AssertOk(response);
        Assert.Equal(JsonValueKind.Array, response.Result.ValueKind);
        Assert.Equal(0, response.Result.GetArrayLength());
    }

    [Fact]
    public async Task Scope_full_lists_every_known_scope_whatever_the_webhook_holds()
    {
        var userHook = await Server.AddWebhookAsync(1, "user");
        var fromMail = await Server.GetAsync(Server.Webhook + "scope?full=true");
        var fromUser = await Server.PostJsonAsync(userHook + "scope", """{"full":true}""");
        AssertOk(fromMail);
        AssertOk(fromUser);
        var all = Strings(fromMail.Result);
        foreach (var scope in new[] { "mailservice", "user", "user_brief", "user_basic" }) Assert.Contains(scope, all);
        Assert.Equal(all.Distinct().Order(StringComparer.Ordinal), all);
        Assert.Equal(all, Strings(fromUser.Result));

        // PHP truth (docs/decisions.md #29): only "", "0", 0, false and null are false; "false" and "N" are true.
        foreach (var falsy in new[] { "scope?full=0", "scope?full=", "scope" })
        {
            var notFull = await Server.GetAsync(Server.Webhook + falsy);
            AssertOk(notFull);
            Assert.Equal(["mailservice"], Strings(notFull.Result));
        }
        foreach (var truthy in new[] { "scope?full=false", "scope?full=N", "scope?FULL=1", "scope?Full=no" })
        {
            var full = await Server.GetAsync(Server.Webhook + truthy);
            AssertOk(full);
            Assert.Equal(all, Strings(full.Result));
        }
        var jsonFalse = await Server.PostJsonAsync(Server.Webhook + "scope", """{"FULL":false}""");
        AssertOk(jsonFalse);
        Assert.Equal(["mailservice"], Strings(jsonFalse.Result));
    }

    [Fact]
    public async Task Scope_of_an_oauth_token_is_the_apps_scopes()
    {
        var (_, token) = await IssueTokenAsync(1, "user", "mailservice");
        var response = await Server.GetAsync(Rest("scope?auth=" + token));
        AssertOk(response);
        Assert.Equal(["mailservice", "user"], Strings(response.Result));
    }

    // ---------- methods ----------

    [Fact]
    public async Task Methods_with_empty_scope_lists_only_the_basic_methods()
    {
        var basic = await MethodsAsync(Server.Webhook, "?scope=");
        foreach (var name in ImplementedBasic) Assert.Contains(name, basic);
        Assert.All(basic, name => Assert.True(IsSpecBasicName(name), $"'{name}' is not a basic method"));
        Assert.DoesNotContain("user.current", basic);
        Assert.Equal(basic.Length, basic.Distinct().Count());
    }

    [Fact]
    public async Task Methods_lists_the_basic_methods_and_those_of_the_granted_scopes_in_lower_case()
    {
        // Every basic method, app.info included (a webhook calls it directly, docs/decisions.md #23).
        var basic = (await MethodsAsync(Server.Webhook, "?scope=")).ToList();
        Assert.Contains("batch", basic);
        Assert.Contains("app.info", basic);

        var forMail = await MethodsAsync(Server.Webhook);
        Assert.Equal(basic.Concat(MailServiceMethods).Order(StringComparer.Ordinal), forMail.Order(StringComparer.Ordinal));
        Assert.All(forMail, name => Assert.Equal(name.ToLowerInvariant(), name));

        var userHook = await Server.AddWebhookAsync(1, "user_brief");
        var forUser = await MethodsAsync(userHook);
        Assert.Equal(basic.Append("user.current").Order(StringComparer.Ordinal), forUser.Order(StringComparer.Ordinal));

        var both = await Server.AddWebhookAsync(1, "mailservice", "user");
        var forBoth = await MethodsAsync(both);
        Assert.Equal(basic.Concat(MailServiceMethods).Append("user.current").Order(StringComparer.Ordinal), forBoth.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Methods_full_lists_every_method_whatever_the_webhook_holds()
    {
        var basic = await MethodsAsync(Server.Webhook, "?scope=");
        var full = await MethodsAsync(Server.Webhook, "?full=true");
        foreach (var name in basic.Concat(MailServiceMethods).Append("user.current")) Assert.Contains(name, full);
        Assert.All(full, name => Assert.Equal(name.ToLowerInvariant(), name));

        var userHook = await Server.AddWebhookAsync(1, "user");
        Assert.Equal(full.Order(StringComparer.Ordinal), (await MethodsAsync(userHook, "?full=true")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Methods_with_a_scope_lists_only_that_scopes_methods()
    {
        var mail = await MethodsAsync(Server.Webhook, "?scope=mailservice");
        Assert.Equal(MailServiceMethods, mail.Order(StringComparer.Ordinal));

        // Also for a webhook that does not hold the scope: the list names what the scope has.
        var userHook = await Server.AddWebhookAsync(1, "user");
        Assert.Equal(MailServiceMethods, (await MethodsAsync(userHook, "?scope=mailservice")).Order(StringComparer.Ordinal));

        Assert.Equal(["user.current"], await MethodsAsync(Server.Webhook, "?scope=user_brief"));
    }

    // ---------- method.get ----------

    [Fact]
    public async Task Method_get_reports_existing_and_available_for_a_granted_method()
    {
        Assert.Equal((true, true), await MethodGetAsync(Server.Webhook + "method.get?name=mailservice.add"));
        Assert.Equal((true, true), await MethodGetAsync(Server.Webhook + "method.get?name=profile"));
        Assert.Equal((true, true), await MethodGetAsync(Server.Webhook + "method.get?name=mailservice.list"));
    }

    [Fact]
    public async Task Method_get_reports_not_available_without_the_scope()
    {
        var userHook = await Server.AddWebhookAsync(1, "user");
        Assert.Equal((true, false), await MethodGetAsync(userHook + "method.get?name=mailservice.add"));
        Assert.Equal((true, true), await MethodGetAsync(userHook + "method.get?name=user.current"));
        Assert.Equal((true, false), await MethodGetAsync(Server.Webhook + "method.get?name=user.current"));
    }

    [Theory]
    [InlineData("method.get?name=no.such.method")]
    [InlineData("method.get?name=mailservice.nothing")]
    [InlineData("method.get")]
    [InlineData("method.get?name=")]
    public async Task Method_get_of_an_unknown_or_missing_name_is_both_false(string call)
    {
        Assert.Equal((false, false), await MethodGetAsync(Server.Webhook + call));
    }

    [Fact]
    public async Task Method_get_app_info_is_available_to_a_webhook_and_an_application()
    {
        Assert.Equal((true, true), await MethodGetAsync(Server.Webhook + "method.get?name=app.info"));
        var (_, token) = await IssueTokenAsync(1, "mailservice");
        Assert.Equal((true, true), await MethodGetAsync(Rest("method.get?name=app.info&auth=" + token)));
    }

    [Theory]
    [InlineData("method.get?NAME=mailservice.add")]
    [InlineData("method.get?Name=MAILSERVICE.ADD")]
    [InlineData("method.get?name=MailService.Add")]
    public async Task Method_get_takes_its_parameter_and_the_name_in_any_case(string call)
    {
        Assert.Equal((true, true), await MethodGetAsync(Server.Webhook + call));
    }

    [Fact]
    public async Task Methods_takes_scope_and_full_in_any_case()
    {
        Assert.Equal(MailServiceMethods, (await MethodsAsync(Server.Webhook, "?SCOPE=mailservice")).Order(StringComparer.Ordinal));
        var userHook = await Server.AddWebhookAsync(1, "user");
        var full = await MethodsAsync(userHook, "?FULL=Y");
        foreach (var name in MailServiceMethods) Assert.Contains(name, full);
        // "false" is PHP-true; "0" is not.
        Assert.Contains("mailservice.add", await MethodsAsync(userHook, "?full=false"));
        Assert.DoesNotContain("mailservice.add", await MethodsAsync(userHook, "?full=0"));
    }

    // ---------- profile and user.admin ----------

    [Fact]
    public async Task Profile_of_the_admin_has_the_documented_keys_and_types()
    {
        var response = await Server.GetAsync(Server.Webhook + "profile");
        AssertOk(response);
        var result = response.Result;
        Assert.Equal(["ID", "ADMIN", "NAME", "LAST_NAME", "PERSONAL_GENDER", "TIME_ZONE", "TIME_ZONE_OFFSET"], result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.String, result.GetProperty("ID").ValueKind);
        Assert.Equal("1", result.GetProperty("ID").GetString());
        Assert.Equal(JsonValueKind.True, result.GetProperty("ADMIN").ValueKind);
        Assert.Equal("Admin", result.GetProperty("NAME").GetString());
        Assert.Equal("", result.GetProperty("LAST_NAME").GetString());
        Assert.Equal("", result.GetProperty("PERSONAL_GENDER").GetString());
        Assert.Equal("", result.GetProperty("TIME_ZONE").GetString());
        // Seconds east of UTC, an integer (docs/decisions.md #28), the offset the time block's dates carry.
        Assert.Equal(JsonValueKind.Number, result.GetProperty("TIME_ZONE_OFFSET").ValueKind);
        var offset = TimeSpan.FromSeconds(result.GetProperty("TIME_ZONE_OFFSET").GetInt64());
        var dateStart = response.Json.GetProperty("time").GetProperty("date_start").GetString()!;
        Assert.Equal(DateTimeOffset.ParseExact(dateStart, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture).Offset, offset);
    }

    [Fact]
    public async Task Profile_of_a_non_admin_shows_its_own_id_and_names()
    {
        var user = await AddUserAsync("Grace", "Hopper", "grace@example.test", admin: false);
        var hook = await Server.AddWebhookAsync(user.Id, "mailservice");
        var response = await Server.GetAsync(hook + "profile");
        AssertOk(response);
        var result = response.Result;
        Assert.Equal(user.Id.ToString(CultureInfo.InvariantCulture), result.GetProperty("ID").GetString());
        Assert.Equal(JsonValueKind.False, result.GetProperty("ADMIN").ValueKind);
        Assert.Equal("Grace", result.GetProperty("NAME").GetString());
        Assert.Equal("Hopper", result.GetProperty("LAST_NAME").GetString());
        Assert.False(result.TryGetProperty("PERSONAL_PHOTO", out _));
    }

    [Fact]
    public async Task User_admin_is_true_for_an_admin_and_false_for_a_non_admin()
    {
        var admin = await Server.GetAsync(Server.Webhook + "user.admin");
        AssertOk(admin);
        Assert.Equal(JsonValueKind.True, admin.Result.ValueKind);

        var secondAdmin = await AddUserAsync("Root", "", "", admin: true);
        var secondAdminResponse = await Server.GetAsync(await Server.AddWebhookAsync(secondAdmin.Id, "mailservice") + "user.admin");
        AssertOk(secondAdminResponse);
        Assert.Equal(JsonValueKind.True, secondAdminResponse.Result.ValueKind);

        var user = await AddUserAsync("Plain", "", "", admin: false);
        var hook = await Server.AddWebhookAsync(user.Id, "mailservice");
        var plain = await Server.GetAsync(hook + "user.admin");
        AssertOk(plain);
        Assert.Equal(JsonValueKind.False, plain.Result.ValueKind);

        // profile.ADMIN equals user.admin (docs/protocol.md §6.3).
        var profile = await Server.GetAsync(hook + "profile");
        AssertOk(profile);
        Assert.Equal(JsonValueKind.False, profile.Result.GetProperty("ADMIN").ValueKind);
    }

    // ---------- user.current ----------

    [Fact]
    public async Task User_current_without_a_user_scope_is_insufficient_scope()
    {
        AssertError(await Server.GetAsync(Server.Webhook + "user.current"), HttpStatusCode.Forbidden, "insufficient_scope", WebhookScopeDescription);
        var none = await Server.AddWebhookAsync(1);
        AssertError(await Server.GetAsync(none + "user.current"), HttpStatusCode.Forbidden, "insufficient_scope", WebhookScopeDescription);
    }

    [Fact]
    public async Task User_current_for_an_oauth_token_without_a_user_scope_is_insufficient_scope()
    {
        var (_, token) = await IssueTokenAsync(1, "mailservice");
        AssertError(await Server.GetAsync(Rest("user.current?auth=" + token)), HttpStatusCode.Forbidden, "insufficient_scope",
            "The request requires higher privileges than provided by the access token");
    }

    [Fact]
    public async Task User_current_with_scope_user_includes_the_email()
    {
        var user = await AddUserAsync("Ada", "Lovelace", "ada@example.test", admin: false);
        var hook = await Server.AddWebhookAsync(user.Id, "user");
        var response = await Server.GetAsync(hook + "user.current");
        AssertOk(response);
        var result = response.Result;
        Assert.Equal(JsonValueKind.String, result.GetProperty("ID").ValueKind);
        Assert.Equal(user.Id.ToString(CultureInfo.InvariantCulture), result.GetProperty("ID").GetString());
        Assert.Equal(JsonValueKind.True, result.GetProperty("ACTIVE").ValueKind);
        Assert.Equal("Ada", result.GetProperty("NAME").GetString());
        Assert.Equal("Lovelace", result.GetProperty("LAST_NAME").GetString());
        Assert.Equal("ada@example.test", result.GetProperty("EMAIL").GetString());
    }

    [Fact]
    public async Task User_current_with_scope_user_brief_leaves_the_email_out()
    {
        var user = await AddUserAsync("Brief", "Person", "brief@example.test", admin: false);
        var hook = await Server.AddWebhookAsync(user.Id, "user_brief");
        var response = await Server.GetAsync(hook + "user.current");
        AssertOk(response);
        var result = response.Result;
        Assert.Equal(user.Id.ToString(CultureInfo.InvariantCulture), result.GetProperty("ID").GetString());
        Assert.Equal(JsonValueKind.True, result.GetProperty("ACTIVE").ValueKind);
        Assert.Equal("Brief", result.GetProperty("NAME").GetString());
        Assert.Equal("Person", result.GetProperty("LAST_NAME").GetString());
        Assert.False(result.TryGetProperty("EMAIL", out _), response.Raw);
        Assert.DoesNotContain("brief@example.test", response.Raw);
    }

    [Fact]
    public async Task User_current_with_scope_user_basic_answers_for_the_webhooks_user()
    {
        var user = await AddUserAsync("Basic", "", "basic@example.test", admin: false);
        var response = await Server.GetAsync(await Server.AddWebhookAsync(user.Id, "user_basic") + "user.current");
        AssertOk(response);
        Assert.Equal(user.Id.ToString(CultureInfo.InvariantCulture), response.Result.GetProperty("ID").GetString());
        Assert.Equal(JsonValueKind.True, response.Result.GetProperty("ACTIVE").ValueKind);
    }

    [Fact]
    public async Task User_current_works_for_an_oauth_token_with_scope_user()
    {
        var (_, token) = await IssueTokenAsync(1, "user");
        var request = new HttpRequestMessage(HttpMethod.Get, Rest("user.current"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Server.SendAsync(request);
        AssertOk(response);
        Assert.Equal("1", response.Result.GetProperty("ID").GetString());
        Assert.Equal("Admin", response.Result.GetProperty("NAME").GetString());
        Assert.Equal("admin@localhost", response.Result.GetProperty("EMAIL").GetString());
    }

    // ---------- user.access ----------

    [Theory]
    [InlineData("U999999")]
    [InlineData("G12345")]
    [InlineData("nonsense")]
    public async Task User_access_is_always_true_for_an_admin(string code)
    {
        var response = await Server.PostFormAsync(Server.Webhook + "user.access", "ACCESS[]=" + code);
        AssertOk(response);
        Assert.Equal(JsonValueKind.True, response.Result.ValueKind);
    }

    [Fact]
    public async Task User_access_for_a_non_admin_checks_its_own_codes_sent_urlencoded()
    {
        var user = await AddUserAsync("Access", "Form", "", admin: false);
        var other = await AddUserAsync("Other", "", "", admin: false);
        var hook = await Server.AddWebhookAsync(user.Id, "mailservice");

        async Task<JsonValueKind> Ask(string body)
        {
            var response = await Server.PostFormAsync(hook + "user.access", body);
            AssertOk(response);
            return response.Result.ValueKind;
        }

        Assert.Equal(JsonValueKind.True, await Ask($"ACCESS[]=U{user.Id}"));
        Assert.Equal(JsonValueKind.False, await Ask($"ACCESS[]=U{other.Id}"));
        Assert.Equal(JsonValueKind.False, await Ask("ACCESS[]=U1"));
        Assert.Equal(JsonValueKind.True, await Ask("ACCESS[]=AU"));
        Assert.Equal(JsonValueKind.True, await Ask($"ACCESS[]=U{other.Id}&ACCESS[]=U{user.Id}"));
        Assert.Equal(JsonValueKind.True, await Ask($"ACCESS%5B%5D=U{user.Id}"));

        var query = await Server.GetAsync(hook + $"user.access?ACCESS[]=U{user.Id}");
        AssertOk(query);
        Assert.Equal(JsonValueKind.True, query.Result.ValueKind);
    }

    [Fact]
    public async Task User_access_for_a_non_admin_checks_its_own_codes_sent_as_a_json_array()
    {
        var user = await AddUserAsync("Access", "Json", "", admin: false);
        var other = await AddUserAsync("Other", "", "", admin: false);
        var hook = await Server.AddWebhookAsync(user.Id, "mailservice");

        async Task<JsonValueKind> Ask(params string[] codes)
        {
            var response = await Server.PostJsonAsync(hook + "user.access", new { ACCESS = codes });
            AssertOk(response);
            return response.Result.ValueKind;
        }

        Assert.Equal(JsonValueKind.True, await Ask($"U{user.Id}"));
        Assert.Equal(JsonValueKind.False, await Ask($"U{other.Id}"));
        Assert.Equal(JsonValueKind.True, await Ask("AU"));
        Assert.Equal(JsonValueKind.True, await Ask($"U{other.Id}", "AU"));
        Assert.Equal(JsonValueKind.False, await Ask("U1", $"U{other.Id}"));
    }

    // ---------- access.name ----------

    [Fact]
    public async Task Access_name_of_au_is_all_authorized_users()
    {
        var response = await Server.PostFormAsync(Server.Webhook + "access.name", "ACCESS[]=AU");
        AssertOk(response);
        var result = response.Result;
        Assert.Equal(["AU"], result.EnumerateObject().Select(p => p.Name));
        var au = result.GetProperty("AU");
        Assert.Equal(["provider", "name", "provider_id"], au.EnumerateObject().Select(p => p.Name));
        Assert.Equal("", au.GetProperty("provider").GetString());
        Assert.Equal("All authorized users", au.GetProperty("name").GetString());
        Assert.Equal("other", au.GetProperty("provider_id").GetString());
    }

    [Fact]
    public async Task Access_name_of_a_user_code_is_the_users_name()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "access.name", new { ACCESS = new[] { "U1" } });
        AssertOk(response);
        var u1 = response.Result.GetProperty("U1");
        Assert.Equal(["provider", "name", "provider_id"], u1.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Admin", u1.GetProperty("name").GetString());
        Assert.Equal("user", u1.GetProperty("provider_id").GetString());

        var user = await AddUserAsync("Katherine", "Johnson", "", admin: false);
        var code = "U" + user.Id.ToString(CultureInfo.InvariantCulture);
        var named = await Server.PostFormAsync(Server.Webhook + "access.name", "ACCESS[]=" + code);
        AssertOk(named);
        Assert.Equal("Katherine Johnson", named.Result.GetProperty(code).GetProperty("name").GetString());
        Assert.Equal("user", named.Result.GetProperty(code).GetProperty("provider_id").GetString());
    }

    [Fact]
    public async Task Access_name_omits_unknown_codes()
    {
        var response = await Server.PostFormAsync(Server.Webhook + "access.name", "ACCESS[]=AU&ACCESS[]=XYZ&ACCESS[]=U999999&ACCESS[]=U1");
        AssertOk(response);
        Assert.Equal(["AU", "U1"], response.Result.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var onlyUnknown = await Server.PostFormAsync(Server.Webhook + "access.name", "ACCESS[]=XYZ");
        AssertOk(onlyUnknown);
        Assert.True(onlyUnknown.Result.ValueKind is JsonValueKind.Array or JsonValueKind.Object, onlyUnknown.Raw);
        Assert.Equal(0, onlyUnknown.Result.ValueKind == JsonValueKind.Array ? onlyUnknown.Result.GetArrayLength() : onlyUnknown.Result.EnumerateObject().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ACCESS=")]
    [InlineData("ACCESS[]=")]
    public async Task Access_name_without_codes_is_false(string body)
    {
        var response = body.Length == 0 ? await Server.GetAsync(Server.Webhook + "access.name") : await Server.PostFormAsync(Server.Webhook + "access.name", body);
        AssertOk(response);
        Assert.Equal(JsonValueKind.False, response.Result.ValueKind);

        var json = await Server.PostJsonAsync(Server.Webhook + "access.name", """{"ACCESS":[]}""");
        AssertOk(json);
        Assert.Equal(JsonValueKind.False, json.Result.ValueKind);
    }

    // ---------- server.time ----------

    [Fact]
    public async Task Server_time_is_an_iso_date_with_an_offset()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        var response = await Server.GetAsync(Server.Webhook + "server.time");
        var after = DateTimeOffset.UtcNow.AddSeconds(2);
        AssertOk(response);
        Assert.Equal(JsonValueKind.String, response.Result.ValueKind);
        var text = response.Result.GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", text);
        var time = DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        Assert.InRange(time, before, after);
        // Same offset as the time block's dates.
        Assert.Equal(text[^6..], response.Json.GetProperty("time").GetProperty("date_start").GetString()![^6..]);
    }

    // ---------- app.info ----------

    [Fact]
    public async Task App_info_via_a_webhook_answers_its_scopes_and_the_licence()
    {
        // What the official PHP SDK's webhook quick start calls first (getApplicationInfo), docs/decisions.md #23.
        var bootstrap = await Server.GetAsync(Server.Webhook + "app.info");
        AssertOk(bootstrap);
        Assert.Equal(["SCOPE", "LICENSE"], bootstrap.Result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["mailservice"], Strings(bootstrap.Result.GetProperty("SCOPE")));
        Assert.Equal("en_pro", bootstrap.Result.GetProperty("LICENSE").GetString());

        var userHook = await Server.AddWebhookAsync(1, "user", "mailservice");
        var posted = await Server.PostJsonAsync(userHook + "app.info", "{}");
        AssertOk(posted);
        Assert.Equal(["mailservice", "user"], Strings(posted.Result.GetProperty("SCOPE")));

        var none = await Server.GetAsync(await Server.AddWebhookAsync(1) + "app.info");
        AssertOk(none);
        Assert.Equal(0, none.Result.GetProperty("SCOPE").GetArrayLength());
    }

    [Fact]
    public async Task App_info_inside_a_webhook_batch_needs_an_application_context()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "batch", """{"cmd":{"a":"app.info","b":"scope"}}""");
        AssertOk(response);
        var error = response.Result.GetProperty("result_error").GetProperty("a");
        Assert.Equal("ACCESS_DENIED", error.GetProperty("error").GetString());
        Assert.Equal("Access denied! Application context required", error.GetProperty("error_description").GetString());
        Assert.Equal(["mailservice"], Strings(response.Result.GetProperty("result").GetProperty("b")));

        // An app's batch has its context.
        var (app, token) = await IssueTokenAsync(1, "mailservice");
        var appBatch = await Server.PostJsonAsync(Rest("batch"), new { auth = token, cmd = new { a = "app.info" } });
        AssertOk(appBatch);
        Assert.Equal(app.Id, appBatch.Result.GetProperty("result").GetProperty("a").GetProperty("ID").GetInt64());
    }

    [Fact]
    public async Task App_info_reports_the_portals_licence_and_language()
    {
        var identity = Identity;
        var portal = await DefaultPortalAsync();
        var (_, token) = await IssueTokenAsync(1, "mailservice");
        try
        {
            Assert.True(await identity.SetPortalLicenseAsync(portal.Id, "ent10000", "de"));
            var oauth = await Server.GetAsync(Rest("app.info?auth=" + token));
            AssertOk(oauth);
            Assert.Equal("de_ent10000", oauth.Result.GetProperty("LICENSE").GetString());
            Assert.Equal("ent10000", oauth.Result.GetProperty("LICENSE_TYPE").GetString());
            Assert.Equal("ent", oauth.Result.GetProperty("LICENSE_FAMILY").GetString());
            Assert.Equal("de", oauth.Result.GetProperty("LANGUAGE_ID").GetString());

            var hook = await Server.GetAsync(Server.Webhook + "app.info");
            AssertOk(hook);
            Assert.Equal("de_ent10000", hook.Result.GetProperty("LICENSE").GetString());
        }
        finally
        {
            await identity.SetPortalLicenseAsync(portal.Id, "pro", "en");
        }
    }

    [Fact]
    public async Task App_info_via_an_oauth_token_describes_the_app()
    {
        var (app, token) = await IssueTokenAsync(1, "mailservice");
        foreach (var response in new[]
                 {
                     await Server.GetAsync(Rest("app.info?auth=" + token)),
                     await Server.PostJsonAsync(Rest("app.info"), new { auth = token }),
                 })
        {
            AssertOk(response);
            var result = response.Result;
            Assert.Equal(
                ["ID", "CODE", "VERSION", "STATUS", "INSTALLED", "PAYMENT_EXPIRED", "DAYS", "LANGUAGE_ID", "LICENSE", "LICENSE_TYPE", "LICENSE_FAMILY"],
                result.EnumerateObject().Select(p => p.Name));
            Assert.Equal(app.Id, result.GetProperty("ID").GetInt64());
            Assert.Equal("local.test", result.GetProperty("CODE").GetString());
            Assert.Equal(JsonValueKind.Number, result.GetProperty("VERSION").ValueKind);
            Assert.Equal(app.Version, result.GetProperty("VERSION").GetInt32());
            Assert.Equal("L", result.GetProperty("STATUS").GetString());
            Assert.Equal(JsonValueKind.True, result.GetProperty("INSTALLED").ValueKind);
            Assert.Equal("N", result.GetProperty("PAYMENT_EXPIRED").GetString());
            Assert.Equal(JsonValueKind.Null, result.GetProperty("DAYS").ValueKind);
            // A new portal's licence (docs/decisions.md #24): a real family, never an invented one such as "selfhosted".
            Assert.Equal("en", result.GetProperty("LANGUAGE_ID").GetString());
            Assert.Equal("en_pro", result.GetProperty("LICENSE").GetString());
            Assert.Equal("pro", result.GetProperty("LICENSE_TYPE").GetString());
            Assert.Equal("pro", result.GetProperty("LICENSE_FAMILY").GetString());
        }
    }

    [Fact]
    public async Task Each_app_gets_its_own_app_info()
    {
        var (first, firstToken) = await IssueTokenAsync(1, "mailservice");
        var (second, secondToken) = await IssueTokenAsync(1, "user");
        Assert.NotEqual(first.Id, second.Id);
        var a = await Server.GetAsync(Rest("app.info?auth=" + firstToken));
        var b = await Server.GetAsync(Rest("app.info?auth=" + secondToken));
        AssertOk(a);
        AssertOk(b);
        Assert.Equal(first.Id, a.Result.GetProperty("ID").GetInt64());
        Assert.Equal(second.Id, b.Result.GetProperty("ID").GetInt64());
    }

    // ---------- feature.get ----------

    [Theory]
    [InlineData("feature.get")]
    [InlineData("feature.get?CODE=")]
    [InlineData("feature.get?code=")]
    [InlineData("feature.get?other=rest_offline_extended")]
    public async Task Feature_get_without_code_is_code_empty(string call)
    {
        AssertError(await Server.GetAsync(Server.Webhook + call), HttpStatusCode.BadRequest, "CODE_EMPTY", "CODE can't be empty");
    }

    [Theory]
    [InlineData("rest_offline_extended")]
    [InlineData("rest_auth_connector")]
    public async Task Feature_get_of_a_known_feature_is_y(string code)
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "feature.get", new { CODE = code });
        AssertOk(response);
        Assert.Equal(["value"], response.Result.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Y", response.Result.GetProperty("value").GetString());

        // The parameter name in any case (docs/decisions.md #29), as SDKs that lower-case their keys send it.
        var lower = await Server.GetAsync(Server.Webhook + "feature.get?code=" + code);
        AssertOk(lower);
        Assert.Equal("Y", lower.Result.GetProperty("value").GetString());
    }

    // ---------- basic methods need no scope ----------

    public static TheoryData<string> BasicCalls =>
    [
        "scope",
        "methods",
        "method.get?name=scope",
        "profile",
        "user.admin",
        "user.access?ACCESS[]=AU",
        "access.name?ACCESS[]=AU",
        "server.time",
        "feature.get?CODE=rest_offline_extended",
    ];

    [Theory]
    [MemberData(nameof(BasicCalls))]
    public async Task Every_basic_method_works_for_a_webhook_with_only_the_mailservice_scope(string call)
    {
        AssertOk(await Server.GetAsync(Server.Webhook + call));

        var user = await AddUserAsync("Scoped", "", "", admin: false);
        var hook = await Server.AddWebhookAsync(user.Id, "mailservice");
        AssertOk(await Server.GetAsync(hook + call));
    }

    [Theory]
    [MemberData(nameof(BasicCalls))]
    public async Task Every_basic_method_works_for_a_webhook_without_any_scope(string call)
    {
        var hook = await Server.AddWebhookAsync(1);
        AssertOk(await Server.GetAsync(hook + call));
    }
}
