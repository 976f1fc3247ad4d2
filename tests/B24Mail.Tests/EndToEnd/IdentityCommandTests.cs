using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// The portal, user, webhook, app and token commands, run as separate processes of the built b24mail.dll on the
/// data folder of a running server; the server is then called over HTTPS to see that what they wrote works at once.
/// </summary>
public sealed class IdentityCommandTests
{
    private static readonly string[] PresetNames = ["gmail", "outlook.com", "icloud", "office365", "exchange", "yahoo", "aol", "other"];

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => CommandTests.RunAsync(args);

    /// <summary>Runs a command on the server's data folder (and its HTTPS address) and requires success; returns stdout trimmed.</summary>
    private static async Task<string> OkAsync(LiveServer server, params string[] args)
    {
        var (code, output, error) = await RunAsync([.. args, "--data", server.DataDir, "--urls", server.HttpsBase]);
        Assert.True(code == 0, $"'{string.Join(' ', args)}' exited with {code}: {error}");
        return output.Trim();
    }

    private static async Task FailsAsync(LiveServer server, int exitCode, params string[] args)
    {
        var (code, output, error) = await RunAsync([.. args, "--data", server.DataDir, "--urls", server.HttpsBase]);
        Assert.True(code == exitCode, $"'{string.Join(' ', args)}' exited with {code}, expected {exitCode}; stdout: {output}; stderr: {error}");
        Assert.Equal("", output);
        Assert.NotEqual("", error.Trim());
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void AssertOk(RestResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Raw}");
    }

    private static void AssertInvalidCredentials(RestResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.Unauthorized, $"{(int)response.Status}: {response.Raw}");
        Assert.Equal("INVALID_CREDENTIALS", response.Error);
        Assert.Equal("Invalid request credentials", response.ErrorDescription);
    }

    private static string WebhookUrlPattern(LiveServer server, string userId) => "^" + Regex.Escape(server.HttpsBase) + "/rest/" + userId + "/[a-z0-9]{16}/$";

    private static string SecretOf(string url) => new Uri(url).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[2];

    /// <summary>The webhook list line of one webhook, split into its tab-separated columns.</summary>
    private static string[] WebhookLine(string listing, string id)
    {
        var line = Lines(listing).SingleOrDefault(l => l.Split('\t')[0] == id);
        Assert.True(line is not null, $"webhook {id} is not listed in:\n{listing}");
        return line.Split('\t');
    }

    // ---------- portals ----------

    [Fact]
    public async Task Portal_add_prints_a_member_id_and_portal_list_shows_both_portals()
    {
        await using var server = await LiveServer.StartAsync();
        var memberId = await OkAsync(server, "portal", "add", "--code", "team-a", "--domain", "team-a.test");
        Assert.Matches("^[0-9a-f]{32}$", memberId);

        var listing = Lines(await OkAsync(server, "portal", "list"));
        Assert.Equal(2, listing.Length);
        var defaultLine = listing.Single(l => l.StartsWith("default\t", StringComparison.Ordinal)).Split('\t');
        Assert.Matches("^[0-9a-f]{32}$", defaultLine[1]);
        Assert.Equal("localhost", defaultLine[2]);
        Assert.Contains($"team-a\t{memberId}\tteam-a.test", listing);
        Assert.NotEqual(memberId, defaultLine[1]);
    }

    [Fact]
    public async Task Adding_a_portal_code_twice_fails_and_prints_nothing()
    {
        await using var server = await LiveServer.StartAsync();
        var memberId = await OkAsync(server, "portal", "add", "--code", "team-a", "--domain", "team-a.test");
        await FailsAsync(server, 1, "portal", "add", "--code", "team-a", "--domain", "other.test");
        await FailsAsync(server, 1, "portal", "add", "--code", "default", "--domain", "other.test");
        // The first portal is unchanged.
        Assert.Contains($"team-a\t{memberId}\tteam-a.test", Lines(await OkAsync(server, "portal", "list")));
        Assert.Equal(2, Lines(await OkAsync(server, "portal", "list")).Length);
    }

    [Fact]
    public async Task Portal_add_and_portal_set_give_the_licence_that_app_info_reports()
    {
        await using var server = await LiveServer.StartAsync();
        await OkAsync(server, "portal", "add", "--code", "team-a", "--domain", "team-a.test", "--license", "ent10000", "--language", "de");
        var hookA = await OkAsync(server, "webhook", "add", "--portal", "team-a", "--user", "1", "--scope", "mailservice");
        var infoA = await server.GetAsync(hookA + "app.info");
        AssertOk(infoA);
        Assert.Equal("de_ent10000", infoA.Result.GetProperty("LICENSE").GetString());

        // The default portal starts as en_pro; portal set changes it for the running server at once.
        var before = await server.GetAsync(server.Webhook + "app.info");
        AssertOk(before);
        Assert.Equal("en_pro", before.Result.GetProperty("LICENSE").GetString());
        Assert.Equal("default", await OkAsync(server, "portal", "set", "--code", "default", "--license", "std"));
        Assert.Equal("en_std", (await server.GetAsync(server.Webhook + "app.info")).Result.GetProperty("LICENSE").GetString());
        Assert.Equal("default", await OkAsync(server, "portal", "set", "--code", "default", "--language", "ru"));
        Assert.Equal("ru_std", (await server.GetAsync(server.Webhook + "app.info")).Result.GetProperty("LICENSE").GetString());
    }

    [Theory]
    [InlineData("--license", "selfhosted")]
    [InlineData("--license", "PRO")]
    [InlineData("--license", "pro-1")]
    [InlineData("--license", "")]
    [InlineData("--language", "english")]
    [InlineData("--language", "EN")]
    public async Task A_licence_outside_the_real_families_is_refused_and_nothing_changes(string option, string value)
    {
        await using var server = await LiveServer.StartAsync();
        await FailsAsync(server, 2, "portal", "set", "--code", "default", option, value);
        await FailsAsync(server, 2, "portal", "add", "--code", "team-b", "--domain", "team-b.test", option, value);
        Assert.Equal("en_pro", (await server.GetAsync(server.Webhook + "app.info")).Result.GetProperty("LICENSE").GetString());
        Assert.DoesNotContain(Lines(await OkAsync(server, "portal", "list")), l => l.StartsWith("team-b\t", StringComparison.Ordinal));
    }

    // ---------- users ----------

    [Fact]
    public async Task User_ids_count_per_portal_and_user_list_shows_them()
    {
        await using var server = await LiveServer.StartAsync();
        await OkAsync(server, "portal", "add", "--code", "team-a", "--domain", "team-a.test");
        Assert.Equal("2", await OkAsync(server, "user", "add", "--portal", "team-a", "--name", "X", "--admin"));
        Assert.Equal("3", await OkAsync(server, "user", "add", "--portal", "team-a", "--name", "Yo", "--last-name", "Yang"));
        Assert.Equal("2", await OkAsync(server, "user", "add", "--name", "Default", "--last-name", "Two"));

        Assert.Equal(["1\tadmin\tactive\tAdmin", "2\tadmin\tactive\tX", "3\tuser\tactive\tYo Yang"], Lines(await OkAsync(server, "user", "list", "--portal", "team-a")));
        Assert.Equal(["1\tadmin\tactive\tAdmin", "2\tuser\tactive\tDefault Two"], Lines(await OkAsync(server, "user", "list")));
    }

    // ---------- webhooks ----------

    [Fact]
    public async Task A_webhook_of_another_portal_works_at_once_and_sees_only_that_portals_services()
    {
        await using var server = await LiveServer.StartAsync();
        // A service of the default portal that team-a must not see.
        await server.AddServiceAsync(new { NAME = "Default only" });
        await OkAsync(server, "portal", "add", "--code", "team-a", "--domain", "team-a.test");

        var url = await OkAsync(server, "webhook", "add", "--portal", "team-a", "--user", "1", "--scope", "mailservice");
        Assert.Single(Lines(url));
        Assert.Matches(WebhookUrlPattern(server, "1"), url);

        var list = await server.GetAsync(url + "mailservice.list");
        AssertOk(list);
        Assert.Equal(PresetNames, list.Result.EnumerateArray().Select(s => s.GetProperty("NAME").GetString()));

        // Team-a's administrator writes into team-a only.
        var added = await server.PostJsonAsync(url + "mailservice.add", new { NAME = "Team A mail" });
        AssertOk(added);
        var defaultList = await server.GetAsync(server.Webhook + "mailservice.list");
        AssertOk(defaultList);
        Assert.DoesNotContain("Team A mail", defaultList.Result.EnumerateArray().Select(s => s.GetProperty("NAME").GetString()));
        Assert.Contains("Default only", defaultList.Result.EnumerateArray().Select(s => s.GetProperty("NAME").GetString()));
    }

    [Fact]
    public async Task Webhook_list_never_shows_a_secret_and_deactivate_and_remove_take_effect_at_once()
    {
        await using var server = await LiveServer.StartAsync();
        var url = await OkAsync(server, "webhook", "add", "--user", "1", "--scope", "mailservice,user");
        Assert.Matches(WebhookUrlPattern(server, "1"), url);
        var secret = SecretOf(url);
        AssertOk(await server.GetAsync(url + "mailservice.list"));

        var listing = await OkAsync(server, "webhook", "list");
        Assert.DoesNotContain(secret, listing);
        Assert.DoesNotContain(SecretOf(server.Webhook), listing);
        Assert.Equal(2, Lines(listing).Length);
        Assert.Equal(["1", "user 1", "mailservice", "active", "expires never"], WebhookLine(listing, "1"));
        Assert.Equal(["2", "user 1", "mailservice,user", "active", "expires never"], WebhookLine(listing, "2"));

        Assert.Equal("2", await OkAsync(server, "webhook", "deactivate", "--id", "2"));
        AssertInvalidCredentials(await server.GetAsync(url + "mailservice.list"));
        AssertInvalidCredentials(await server.GetAsync(url + "profile"));
        Assert.Equal(["2", "user 1", "mailservice,user", "inactive", "expires never"], WebhookLine(await OkAsync(server, "webhook", "list"), "2"));
        // The other webhook is untouched.
        AssertOk(await server.GetAsync(server.Webhook + "mailservice.list"));

        Assert.Equal("2", await OkAsync(server, "webhook", "remove", "--id", "2"));
        var after = Lines(await OkAsync(server, "webhook", "list"));
        Assert.Single(after);
        Assert.StartsWith("1\t", after[0]);
        AssertInvalidCredentials(await server.GetAsync(url + "mailservice.list"));

        await FailsAsync(server, 1, "webhook", "remove", "--id", "2");
        await FailsAsync(server, 1, "webhook", "deactivate", "--id", "99");
    }

    [Fact]
    public async Task Removing_an_active_webhook_refuses_its_calls_at_once()
    {
        await using var server = await LiveServer.StartAsync();
        var url = await OkAsync(server, "webhook", "add", "--user", "1", "--scope", "mailservice");
        AssertOk(await server.GetAsync(url + "mailservice.list"));
        Assert.Equal("2", await OkAsync(server, "webhook", "remove", "--id", "2"));
        AssertInvalidCredentials(await server.GetAsync(url + "mailservice.list"));
    }

    [Fact]
    public async Task Deactivating_a_user_stops_its_webhook_and_activating_restores_it()
    {
        await using var server = await LiveServer.StartAsync();
        var id = await OkAsync(server, "user", "add", "--name", "Bob");
        Assert.Equal("2", id);
        var url = await OkAsync(server, "webhook", "add", "--user", id, "--scope", "mailservice");
        Assert.Matches(WebhookUrlPattern(server, id), url);
        AssertOk(await server.GetAsync(url + "mailservice.list"));

        Assert.Equal(id, await OkAsync(server, "user", "deactivate", "--user", id));
        AssertInvalidCredentials(await server.GetAsync(url + "mailservice.list"));
        AssertInvalidCredentials(await server.GetAsync(url + "profile"));
        Assert.Contains("2\tuser\tinactive\tBob", Lines(await OkAsync(server, "user", "list")));
        // Other users' webhooks keep working.
        AssertOk(await server.GetAsync(server.Webhook + "mailservice.list"));

        Assert.Equal(id, await OkAsync(server, "user", "activate", "--user", id));
        AssertOk(await server.GetAsync(url + "mailservice.list"));
        Assert.Contains("2\tuser\tactive\tBob", Lines(await OkAsync(server, "user", "list")));

        await FailsAsync(server, 1, "user", "deactivate", "--user", "99");
    }

    [Fact]
    public async Task User_admin_gives_and_takes_the_administrator_right_at_the_next_request()
    {
        await using var server = await LiveServer.StartAsync();
        var id = await OkAsync(server, "user", "add", "--name", "Bob");
        var url = await OkAsync(server, "webhook", "add", "--user", id, "--scope", "mailservice,user");
        MailServiceMethodTests.AssertCoreError(await server.PostJsonAsync(url + "mailservice.add", new { NAME = "Bob mail" }), "Access denied");

        Assert.Equal(id, await OkAsync(server, "user", "admin", "--user", id));
        Assert.Contains("2\tadmin\tactive\tBob", Lines(await OkAsync(server, "user", "list")));
        AssertOk(await server.PostJsonAsync(url + "mailservice.add", new { NAME = "Bob mail" }));
        Assert.Equal(JsonValueKind.True, (await server.GetAsync(url + "user.admin")).Result.ValueKind);

        Assert.Equal(id, await OkAsync(server, "user", "admin", "--user", id, "--off"));
        Assert.Contains("2\tuser\tactive\tBob", Lines(await OkAsync(server, "user", "list")));
        MailServiceMethodTests.AssertCoreError(await server.PostJsonAsync(url + "mailservice.add", new { NAME = "Bob again" }), "Access denied");
        Assert.Equal(JsonValueKind.False, (await server.GetAsync(url + "user.admin")).Result.ValueKind);

        // Nothing else moved: the portal's own administrator keeps the right, a missing user is refused.
        Assert.Contains("1\tadmin\tactive\tAdmin", Lines(await OkAsync(server, "user", "list")));
        await FailsAsync(server, 1, "user", "admin", "--user", "99");
        await FailsAsync(server, 2, "user", "admin", "--user", "x");
    }

    [Fact]
    public async Task Webhook_expires_in_shows_its_expiry_in_the_list()
    {
        await using var server = await LiveServer.StartAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        var url = await OkAsync(server, "webhook", "add", "--user", "1", "--scope", "mailservice", "--expires-in", "3600");
        var after = DateTimeOffset.UtcNow.AddSeconds(2);
        AssertOk(await server.GetAsync(url + "mailservice.list"));

        var columns = WebhookLine(await OkAsync(server, "webhook", "list"), "2");
        Assert.Equal(["2", "user 1", "mailservice", "active"], columns[..4]);
        var match = Regex.Match(columns[4], @"^expires (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d))$");
        Assert.True(match.Success, columns[4]);
        var expires = DateTimeOffset.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(expires, before.AddSeconds(3600), after.AddSeconds(3600));
    }

    // ---------- apps and tokens ----------

    [Fact]
    public async Task App_add_and_token_issue_give_a_token_that_works_against_the_server()
    {
        await using var server = await LiveServer.StartAsync();
        var app = JsonDocument.Parse(await OkAsync(server, "app", "add", "--name", "Demo", "--scope", "mailservice,user", "--redirect-uri", "https://app.example/cb")).RootElement;
        var clientId = app.GetProperty("client_id").GetString()!;
        var clientSecret = app.GetProperty("client_secret").GetString()!;
        Assert.Matches(@"^local\.[0-9a-f]{14}\.\d{8}$", clientId);
        Assert.Matches("^[A-Za-z0-9]{32,}$", clientSecret);

        var defaultMemberId = Lines(await OkAsync(server, "portal", "list")).Single(l => l.StartsWith("default\t", StringComparison.Ordinal)).Split('\t')[1];

        var token = JsonDocument.Parse(await OkAsync(server, "token", "issue", "--app", clientId, "--user", "1")).RootElement;
        var accessToken = token.GetProperty("access_token").GetString()!;
        var refreshToken = token.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual("", accessToken);
        Assert.NotEqual("", refreshToken);
        Assert.NotEqual(accessToken, refreshToken);
        Assert.Equal(JsonValueKind.Number, token.GetProperty("expires_in").ValueKind);
        Assert.Equal(3600, token.GetProperty("expires_in").GetInt32());
        Assert.Equal(defaultMemberId, token.GetProperty("member_id").GetString());
        Assert.Equal("mailservice,user", token.GetProperty("scope").GetString());
        Assert.Equal(server.HttpsBase + "/rest/", token.GetProperty("client_endpoint").GetString());
        Assert.EndsWith("/rest/", token.GetProperty("client_endpoint").GetString());
        Assert.Equal("L", token.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, token.GetProperty("user_id").ValueKind);
        Assert.Equal(1, token.GetProperty("user_id").GetInt64());

        var list = await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + accessToken);
        AssertOk(list);
        Assert.Equal(8, list.Result.GetArrayLength());

        var request = new HttpRequestMessage(HttpMethod.Get, token.GetProperty("client_endpoint").GetString() + "user.current");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var current = await server.SendAsync(request);
        AssertOk(current);
        Assert.Equal("1", current.Result.GetProperty("ID").GetString());
        Assert.Equal(JsonValueKind.True, current.Result.GetProperty("ACTIVE").ValueKind);

        var info = await server.GetAsync(server.HttpsBase + "/rest/app.info?auth=" + accessToken);
        AssertOk(info);
        Assert.Equal("L", info.Result.GetProperty("STATUS").GetString());
        Assert.Equal(JsonValueKind.True, info.Result.GetProperty("INSTALLED").ValueKind);

        // The printed client_secret and refresh_token work at the token endpoint.
        var refreshed = await server.PostFormAsync(server.HttpsBase + "/oauth/token/",
            $"grant_type=refresh_token&client_id={Uri.EscapeDataString(clientId)}&client_secret={Uri.EscapeDataString(clientSecret)}&refresh_token={Uri.EscapeDataString(refreshToken)}");
        AssertOk(refreshed);
        var newAccess = refreshed.Json.GetProperty("access_token").GetString()!;
        Assert.NotEqual(accessToken, newAccess);
        AssertOk(await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + newAccess));
    }

    [Fact]
    public async Task A_token_of_a_non_admin_user_carries_that_users_rights()
    {
        await using var server = await LiveServer.StartAsync();
        var userId = await OkAsync(server, "user", "add", "--name", "Reader", "--email", "reader@example.test");
        var clientId = JsonDocument.Parse(await OkAsync(server, "app", "add", "--name", "Demo", "--scope", "mailservice", "--redirect-uri", "https://app.example/cb"))
            .RootElement.GetProperty("client_id").GetString()!;
        var token = JsonDocument.Parse(await OkAsync(server, "token", "issue", "--app", clientId, "--user", userId)).RootElement;
        Assert.Equal(long.Parse(userId, CultureInfo.InvariantCulture), token.GetProperty("user_id").GetInt64());
        Assert.Equal("mailservice", token.GetProperty("scope").GetString());
        var accessToken = token.GetProperty("access_token").GetString()!;

        var admin = await server.GetAsync(server.HttpsBase + "/rest/user.admin?auth=" + accessToken);
        AssertOk(admin);
        Assert.Equal(JsonValueKind.False, admin.Result.ValueKind);
        MailServiceMethodTests.AssertCoreError(await server.PostJsonAsync(server.HttpsBase + "/rest/mailservice.add", new { auth = accessToken, NAME = "x" }), "Access denied");
    }

    [Fact]
    public async Task Deactivating_a_user_also_stops_its_oauth_tokens()
    {
        await using var server = await LiveServer.StartAsync();
        var userId = await OkAsync(server, "user", "add", "--name", "Tokened");
        var clientId = JsonDocument.Parse(await OkAsync(server, "app", "add", "--name", "Demo", "--scope", "mailservice", "--redirect-uri", "https://app.example/cb"))
            .RootElement.GetProperty("client_id").GetString()!;
        var accessToken = JsonDocument.Parse(await OkAsync(server, "token", "issue", "--app", clientId, "--user", userId)).RootElement.GetProperty("access_token").GetString()!;
        var url = server.HttpsBase + "/rest/mailservice.list?auth=" + accessToken;
        AssertOk(await server.GetAsync(url));

        await OkAsync(server, "user", "deactivate", "--user", userId);
        var refused = await server.GetAsync(url);
        Assert.True(refused.Status == HttpStatusCode.Unauthorized, $"{(int)refused.Status}: {refused.Raw}");
        Assert.Equal("authorization_error", refused.Error);
        Assert.Equal("Unable to authorize user", refused.ErrorDescription);

        await OkAsync(server, "user", "activate", "--user", userId);
        AssertOk(await server.GetAsync(url));
    }

    [Fact]
    public async Task A_portals_domain_accepts_only_that_portals_webhooks()
    {
        await using var server = await LiveServer.StartAsync();
        await OkAsync(server, "portal", "add", "--code", "team-a", "--domain", "Team-A.test");
        Assert.Contains("\tteam-a.test", string.Join("\n", Lines(await OkAsync(server, "portal", "list"))));
        var teamHook = await OkAsync(server, "webhook", "add", "--portal", "team-a", "--user", "1", "--scope", "mailservice");

        async Task<RestResponse> AsHost(string url)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Host = "team-a.test";
            return await server.SendAsync(request);
        }

        AssertOk(await AsHost(teamHook + "mailservice.list"));
        AssertInvalidCredentials(await AsHost(server.Webhook + "mailservice.list"));
        // Without the portal's host name, each webhook works for its own portal.
        AssertOk(await server.GetAsync(server.Webhook + "mailservice.list"));
        AssertOk(await server.GetAsync(teamHook + "mailservice.list"));
    }

    // ---------- bad inputs ----------

    [Fact]
    public async Task Bad_inputs_fail_with_a_non_zero_exit_and_print_nothing_on_stdout()
    {
        await using var server = await LiveServer.StartAsync();
        await OkAsync(server, "portal", "add", "--code", "team-a", "--domain", "team-a.test");
        var clientId = JsonDocument.Parse(await OkAsync(server, "app", "add", "--name", "Demo", "--scope", "mailservice", "--redirect-uri", "https://app.example/cb"))
            .RootElement.GetProperty("client_id").GetString()!;

        // Failures (exit 1): what the command names does not exist.
        await FailsAsync(server, 1, "user", "add", "--portal", "nope", "--name", "X");
        await FailsAsync(server, 1, "user", "list", "--portal", "nope");
        await FailsAsync(server, 1, "webhook", "add", "--portal", "nope", "--user", "1", "--scope", "mailservice");
        await FailsAsync(server, 1, "webhook", "list", "--portal", "nope");
        await FailsAsync(server, 1, "app", "add", "--portal", "nope", "--name", "Demo", "--scope", "mailservice", "--redirect-uri", "https://app.example/cb");
        await FailsAsync(server, 1, "token", "issue", "--app", "local.0123456789abcd.12345678", "--user", "1");
        await FailsAsync(server, 1, "token", "issue", "--app", clientId, "--user", "99");
        // The app belongs to the default portal, not to team-a.
        await FailsAsync(server, 1, "token", "issue", "--portal", "team-a", "--app", clientId, "--user", "1");
        await FailsAsync(server, 1, "webhook", "add", "--user", "99", "--scope", "mailservice");

        // Usage errors (exit 2): a missing or malformed option.
        await FailsAsync(server, 2, "app", "add", "--name", "Demo", "--scope", "mailservice");
        await FailsAsync(server, 2, "app", "add", "--name", "Demo", "--scope", "mailservice", "--redirect-uri", "not a url");
        await FailsAsync(server, 2, "app", "add", "--name", "Demo", "--redirect-uri", "https://app.example/cb");
        await FailsAsync(server, 2, "token", "issue", "--app", clientId, "--user", "x");
        await FailsAsync(server, 2, "token", "issue", "--app", clientId);
        await FailsAsync(server, 2, "user", "deactivate", "--user", "x");
        await FailsAsync(server, 2, "webhook", "remove", "--id", "abc");
        await FailsAsync(server, 2, "webhook", "add", "--user", "1", "--scope", "mailservice", "--expires-in", "soon");
        await FailsAsync(server, 2, "portal", "add", "--code", "bad code!", "--domain", "x.test");
        await FailsAsync(server, 2, "portal", "add", "--code", "team-b");

        // Nothing of the failed commands was written.
        Assert.Equal(2, Lines(await OkAsync(server, "portal", "list")).Length);
        Assert.Single(Lines(await OkAsync(server, "webhook", "list")));
        Assert.Single(Lines(await OkAsync(server, "user", "list", "--portal", "team-a")));
    }
}
