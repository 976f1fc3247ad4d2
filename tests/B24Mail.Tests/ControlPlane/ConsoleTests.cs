using System.Net;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary>
/// What the console stands on: its files served from the binary with their policy headers, the route that runs a REST
/// method as a portal's administrator through the REST dispatcher (so the API's rules, messages and journal apply),
/// the administrator right given over the control plane, and the bootstrap webhook URL in the server's information.
/// </summary>
public sealed class ConsoleTests
{
    private static string Call(LiveServer server, string method, string portal = "default") => server.HttpsBase + $"/_b24mail/portals/{portal}/call/{method}";

    [Fact]
    public async Task The_console_is_served_at_the_root_and_under_the_control_plane_with_a_strict_policy()
    {
        await using var server = await LiveServer.StartAsync();
        foreach (var path in new[] { "/", "/_b24mail/console/", "/_b24mail/console/index.html" })
        {
            var page = await server.GetAsync(server.HttpsBase + path);
            Assert.True(page.Status == HttpStatusCode.OK, path + " " + page.Raw);
            Assert.Equal("text/html", page.Message.Content.Headers.ContentType?.MediaType);
            Assert.Contains("/_b24mail/console/console.js", page.Raw);
            var policy = string.Join(" ", page.Message.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", policy);
            Assert.DoesNotContain("unsafe-inline", policy);
            Assert.Equal("nosniff", page.Message.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", page.Message.Headers.GetValues("Referrer-Policy").Single());
        }
        var script = await server.GetAsync(server.HttpsBase + "/_b24mail/console/console.js");
        Assert.Equal("text/javascript", script.Message.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("innerHTML", script.Raw);
        var again = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/_b24mail/console/console.css");
        again.Headers.TryAddWithoutValidation("If-None-Match", (await server.GetAsync(server.HttpsBase + "/_b24mail/console/console.css")).Message.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await server.SendAsync(again)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync(server.HttpsBase + "/_b24mail/console/nothing.js")).Status);
    }

    [Fact]
    public async Task Without_the_control_plane_there_is_no_console()
    {
        await using var server = await LiveServer.StartAsync("--control-plane", "false");
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync(server.HttpsBase + "/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync(server.HttpsBase + "/_b24mail/console/")).Status);
    }

    [Fact]
    public async Task The_server_information_names_the_bootstrap_webhook()
    {
        await using var server = await LiveServer.StartAsync();
        var info = await server.GetAsync(server.HttpsBase + "/_b24mail/");
        Assert.Equal(server.Webhook, info.Json.GetProperty("webhookUrl").GetString());
    }

    [Fact]
    public async Task A_call_runs_the_method_as_the_administrator_with_the_APIs_rules_and_is_journaled()
    {
        await using var server = await LiveServer.StartAsync();
        var logo = Convert.ToBase64String(Images.Png());
        var added = await server.PostJsonAsync(Call(server, "mailservice.add"), new Dictionary<string, object>
        {
            ["NAME"] = "Console Mail", ["SERVER"] = "imap.console.test", ["PORT"] = 993, ["ICON"] = new Dictionary<string, object> { ["fileData"] = new[] { "logo.png", logo } },
        });
        Assert.True(added.Status == HttpStatusCode.OK, added.Raw);
        var id = added.Result.GetInt64();
        Assert.True(added.Json.TryGetProperty("time", out _));

        // What a webhook sees is what the console made, logo and all.
        var listed = await server.GetAsync(server.Webhook + "mailservice.list");
        var service = listed.Result.EnumerateArray().Single(s => s.GetProperty("ID").GetString() == id.ToString());
        Assert.Equal("Console Mail", service.GetProperty("NAME").GetString());
        Assert.StartsWith(server.HttpsBase + "/upload/mailservice/icon/", service.GetProperty("ICON").GetString());

        // A file that is not an image is refused with the API's own answer.
        var refused = await server.PostJsonAsync(Call(server, "mailservice.update"), new Dictionary<string, object>
        {
            ["ID"] = id, ["ICON"] = new Dictionary<string, object> { ["fileData"] = new[] { "logo.svg", Convert.ToBase64String("<svg xmlns='http://www.w3.org/2000/svg'/>"u8.ToArray()) } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("Logo", refused.ErrorDescription);

        Assert.Equal("ERROR_METHOD_NOT_FOUND", (await server.PostJsonAsync(Call(server, "no.such.method"), "{}")).Error);
        Assert.Equal(HttpStatusCode.NotFound, (await server.PostJsonAsync(Call(server, "mailservice.list", "nowhere"), "{}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostJsonAsync(Call(server, "mailservice.list"), "not json")).Status);

        var journal = await server.GetAsync(server.HttpsBase + "/_b24mail/requests?method=mailservice.add");
        var entry = journal.Json.GetProperty("requests").EnumerateArray().First();
        Assert.Equal("/_b24mail/portals/default/call/mailservice.add", entry.GetProperty("path").GetString());
        Assert.Equal("default", entry.GetProperty("portal").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_call_does_not_ask_the_portal_state_but_needs_an_active_administrator()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = server.HttpsBase + "/_b24mail/portals/default";
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(portal, new { state = "blocked" })).Status);
        Assert.Equal("OVERLOAD_LIMIT", (await server.GetAsync(server.Webhook + "mailservice.list")).Error);
        // The console stands in for the portal's own interface, which a blocked REST API does not close.
        var listed = await server.PostJsonAsync(Call(server, "mailservice.list"), "{}");
        Assert.True(listed.Status == HttpStatusCode.OK, listed.Raw);
        Assert.Equal(8, listed.Result.GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(portal + "/users/1", new { active = false })).Status);
        var orphan = await server.PostJsonAsync(Call(server, "mailservice.list"), "{}");
        Assert.Equal(HttpStatusCode.Conflict, orphan.Status);
        Assert.Contains("no active administrator", orphan.Raw);

        // A user made administrator is the one it calls as from then on.
        var user = await server.AddUserAsync(admin: false);
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(portal + $"/users/{user}", new { admin = true })).Status);
        var added = await server.PostJsonAsync(Call(server, "mailservice.add"), new { NAME = "By the new admin" });
        Assert.True(added.Status == HttpStatusCode.OK, added.Raw);
    }

    [Fact]
    public async Task A_call_larger_than_the_body_limit_is_refused_with_a_problem_and_stores_nothing()
    {
        await using var server = await LiveServer.StartAsync("--max-body-bytes", "4096");
        var body = "{\"NAME\":\"" + new string('x', 5000) + "\"}";
        var sized = await server.PostJsonAsync(Call(server, "mailservice.add"), body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.Status);
        Assert.Equal("application/problem+json", sized.Message.Content.Headers.ContentType?.MediaType);
        Assert.Contains("--max-body-bytes", sized.Json.GetProperty("detail").GetString());
        // Without a length up front Kestrel stops the body; the answer is the same problem, not an empty 413 (or the
        // connection closed on a client still sending, HTTP/1.1's race).
        var chunked = new HttpRequestMessage(HttpMethod.Post, Call(server, "mailservice.add")) { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body))) };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        try
        {
            var response = await server.SendAsync(chunked);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
            Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        }
        catch (HttpRequestException)
        {
        }
        Assert.Equal(8, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetArrayLength());
    }

    [Fact]
    public async Task A_user_made_administrator_may_change_mail_services()
    {
        await using var server = await LiveServer.StartAsync();
        var user = await server.AddUserAsync(admin: false);
        var hook = await server.AddWebhookAsync(user, "mailservice");
        Assert.NotEqual(HttpStatusCode.OK, (await server.PostJsonAsync(hook + "mailservice.add", new { NAME = "Denied" })).Status);

        var made = await server.PostJsonAsync(server.HttpsBase + $"/_b24mail/portals/default/users/{user}", new { admin = true });
        Assert.True(made.Status == HttpStatusCode.OK, made.Raw);
        Assert.True(made.Json.GetProperty("admin").GetBoolean());
        Assert.True(made.Json.GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(hook + "mailservice.add", new { NAME = "Allowed" })).Status);

        var empty = await server.PostJsonAsync(server.HttpsBase + $"/_b24mail/portals/default/users/{user}", new { });
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
    }
}
