using System.Net;
using System.Text.Json.Nodes;
using B24Mail.Rest.Identity;
using B24Mail.Storage.State;
using B24Mail.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.ControlPlane;

/// <summary>GET and POST /_b24mail/state: the whole state as one document, exported and replaced exactly.</summary>
public sealed class StateTests
{
    [Fact]
    public async Task The_export_describes_the_first_start()
    {
        await using var server = await LiveServer.StartAsync();
        var document = StateKit.Parse(await server.ExportAsync());
        Assert.Equal(1, (int)document["version"]!);
        var portal = document["portals"]!.AsArray().Single()!;
        Assert.Equal("default", (string)portal["code"]!);
        Assert.Equal("s1", (string)portal["siteId"]!);
        Assert.Equal(1, (int)portal["users"]![0]!["id"]!);
        var webhook = portal["webhooks"]![0]!;
        var secret = new Uri(server.Webhook).AbsolutePath.Split('/')[3];
        // Never the plain secret: its hash, as the database keeps it.
        Assert.Equal(StateKit.Sha256(secret), (string)webhook["secretSha256"]!);
        Assert.DoesNotContain(secret, await server.ExportAsync());
        Assert.Equal(Enumerable.Range(1, 8), portal["mailServices"]!.AsArray().Select(s => (int)s!["id"]!));
        Assert.Equal("application/json", (await server.GetAsync(server.Control("/state"))).Message.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Export, import into an empty data folder, export again: the same bytes, and the same credentials and logo URLs work.</summary>
    [Fact]
    public async Task A_round_trip_through_an_empty_data_folder_is_exact()
    {
        await using var first = await LiveServer.StartAsync();
        // A state with something of every kind, made through the API and the stores.
        var logo = await first.AddServiceAsync(new { NAME = "logo", ICON = new[] { "a.png", Convert.ToBase64String(Images.Png()) } });
        var logoUrl = (await first.GetServiceAsync(logo)).GetProperty("ICON").GetString()!;
        var fileId = long.Parse(new Uri(logoUrl).AbsolutePath.Split('/')[4]);
        await first.AddServiceAsync(new { NAME = "shares the logo", ICON = fileId, ACTIVE = "N", PORT = 143 });
        await first.PostJsonAsync(first.Webhook + "mailservice.delete", new { ID = 3 });
        var bob = await first.AddUserAsync(admin: false, "Bob");
        var bobHook = await first.AddWebhookAsync(bob, "mailservice", "user");
        var portal = await first.PortalAsync("second", "second.test");
        var app = await first.AddAppAsync(portal, "mailservice");
        await first.Services.GetRequiredService<IOAuthStore>().SetAppUsersAsync(app.App.Id, [1]);
        await first.Services.GetRequiredService<IIdentityStore>().SetPortalStateAsync(portal.Id, PortalState.Free);
        await first.Services.GetRequiredService<IIdentityStore>().SetPortalRateLimitAsync(portal.Id, new B24Mail.Rest.Limits.RateLimit(true, 7, 0.25));
        var exported = await first.ExportAsync();

        var file = StateKit.WriteDocument(StateKit.Parse(exported));
        await using var second = await LiveServer.StartAsync("--seed", file);
        Assert.Equal(exported, await second.ExportAsync());
        // The same credentials and URLs work on the new server: secrets, file IDs and logo keys were kept.
        var onSecond = second.HttpsBase + new Uri(first.Webhook).AbsolutePath;
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(onSecond + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(second.HttpsBase + new Uri(bobHook).AbsolutePath + "mailservice.get?ID=1")).Status);
        var icon = await second.Client.GetAsync(second.HttpsBase + new Uri(logoUrl).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal(Images.Png(), await icon.Content.ReadAsByteArrayAsync());
        var token = await second.TokenAsync(app, "refresh_token", "refresh_token", "none");
        // The client secret is right (a wrong one would be invalid_client); there is just no such refresh token.
        Assert.Equal("invalid_grant", token.Json.GetProperty("error").GetString());

        // And the same document posted back to the first server changes nothing.
        var posted = await first.ImportAsync(exported);
        Assert.Equal(HttpStatusCode.OK, posted.Status);
        Assert.Equal(exported, posted.Raw);
        Assert.Equal(exported, await first.ExportAsync());
    }

    [Fact]
    public async Task A_document_gives_plain_secrets_and_IDs_and_new_rows_follow_them()
    {
        await using var server = await LiveServer.StartAsync();
        var exported = StateKit.Parse(await server.ImportOkAsync(StateKit.Sample()));
        var portal = exported["portals"]!.AsArray().Single()!;
        Assert.Equal("acme", (string)portal["code"]!);
        Assert.Equal(StateKit.Sha256("acmesecret000001"), (string)portal["webhooks"]![0]!["secretSha256"]!);
        Assert.Equal(SecuritySignature.SigningKey("acme0000member0000id000000000001", "acme-client-secret-0001"), (string)portal["apps"]![0]!["signingKey"]!);
        Assert.Equal("local.acme_app", (string)portal["apps"]![0]!["code"]!);
        Assert.Equal(new[] { 100, 205 }, portal["mailServices"]!.AsArray().Select(s => (int)s!["id"]!));

        // The hard-coded URL works, and the default portal is gone with its webhook.
        var webhook = server.HttpsBase + "/rest/1/acmesecret000001/";
        var list = await server.GetAsync(webhook + "mailservice.list");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal("100", list.Result[0].GetProperty("ID").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        var legacy = await server.GetAsync(webhook + "mailservice.get?ID=205");
        Assert.Equal("smtp.legacy.test", legacy.Result.GetProperty("SMTP_SERVER").GetString());
        Assert.Equal("587", legacy.Result.GetProperty("SMTP_PORT").GetString());
        Assert.Equal("N", legacy.Result.GetProperty("UPLOAD_OUTGOING").GetString());
        Assert.Contains("/upload/mailservice/icon/30/0123456789abcdef0123456789abcdef/acme.png", legacy.Result.GetProperty("ICON").GetString());

        // New rows take the next IDs: the counters followed the imported ones.
        var added = await server.PostJsonAsync(webhook + "mailservice.add", new { NAME = "new", ICON = Convert.ToBase64String(Images.Gif()) });
        Assert.Equal(206, added.Result.GetInt64());
        var icon = (await server.GetAsync(webhook + "mailservice.get?ID=206")).Result.GetProperty("ICON").GetString()!;
        Assert.Equal("31", new Uri(icon).AbsolutePath.Split('/')[4]);
        var acme = (await server.Services.GetRequiredService<IIdentityStore>().FindPortalAsync("acme"))!;
        var hook = (await server.Services.GetRequiredService<Server.Hosting.Provisioning>().AddWebhookAsync(acme, 2, ["mailservice"], "next")).Path;
        Assert.Equal(13, (await server.Services.GetRequiredService<IIdentityStore>().ListWebhooksAsync(acme.Id)).Max(w => w.Id));
        Assert.StartsWith("/rest/2/", hook);
        var app = await server.AddAppAsync(acme, "mailservice");
        Assert.Equal(8, app.App.Id);
        var other = await server.PortalAsync("other", "other.test");
        Assert.True(other.Id > acme.Id);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(webhook + "app.info")).Status);
    }

    [Fact]
    public async Task An_app_from_a_document_signs_in_with_its_client_secret()
    {
        await using var server = await LiveServer.StartAsync();
        await server.ImportOkAsync(StateKit.Sample());
        var acme = (await server.Services.GetRequiredService<IIdentityStore>().FindPortalAsync("acme"))!;
        var app = (await server.Services.GetRequiredService<IOAuthStore>().FindAppAsync("local.acme0000000001.12345678"))!;
        var login = await server.LoginAsync(new TestApp(app, "acme-client-secret-0001"), 2);
        Assert.Equal(acme.MemberId, login.GetProperty("member_id").GetString());
        var info = await server.GetAsync(server.HttpsBase + "/rest/app.info?auth=" + login.GetProperty("access_token").GetString());
        Assert.Equal(7, info.Result.GetProperty("ID").GetInt64());
        Assert.Equal("de_ent10000", info.Result.GetProperty("LICENSE").GetString());
        // User 1 is not among the users the app is limited to; the limit is enforced by the portal-state work, so here it is only stored.
        Assert.Equal([2L], await server.Services.GetRequiredService<IOAuthStore>().ListAppUsersAsync(7));
    }

    public static TheoryData<string, string, string> BadDocuments => new()
    {
        // name, the JSON path named, a word of the message
        { "unknown top-level key", "$.extra", "not a known key" },
        { "unknown service key", "$.portals[0].mailServices[0].NAME", "not a known key" },
        { "duplicate portal code", "$.portals[1].code", "used twice" },
        { "duplicate webhook ID across portals", "$.portals[1].webhooks[0].id", "used twice" },
        { "duplicate service ID across portals", "$.portals[1].mailServices[0].id", "used twice" },
        { "duplicate client ID", "$.portals[1].apps[0].clientId", "used twice" },
        { "duplicate webhook secret, plain and hashed", "$.portals[0].webhooks[1].secretSha256", "used twice" },
        { "duplicate user ID", "$.portals[0].users[1].id", "used twice" },
        { "webhook for a missing user", "$.portals[0].webhooks[1].user", "not among this portal's users" },
        { "app limited to a missing user", "$.portals[0].apps[0].users[0]", "not among this portal's users" },
        { "logo that is not an image", "$.portals[0].logos[0].base64", "not an image" },
        { "logo given as SVG", "$.portals[0].logos[0].base64", "not an image" },
        { "logo that is not base64", "$.portals[0].logos[0].base64", "not base64" },
        { "logo as a path over the API", "$.portals[0].logos[0].path", "base64" },
        { "service naming a missing logo", "$.portals[0].mailServices[0].logo", "not among this portal's logos" },
        { "bad scope", "$.portals[0].webhooks[0].scopes[0]", "scope code" },
        { "no scope", "$.portals[0].webhooks[0].scopes", "at least one scope" },
        { "bad state", "$.portals[0].state", "active, blocked, free or closed" },
        { "bad licence", "$.portals[0].license", "licence type" },
        { "bad language", "$.portals[0].language", "two-letter" },
        { "webhook secret of the wrong form", "$.portals[0].webhooks[0].secret", "16 lower-case" },
        { "hash of the wrong form", "$.portals[0].webhooks[1].secretSha256", "64 hex" },
        { "both forms of a secret", "$.portals[0].webhooks[0].secretSha256", "not both" },
        { "no secret", "$.portals[0].webhooks[0].secret", "required" },
        { "client secret too short", "$.portals[0].apps[0].clientSecret", "8 to 256" },
        { "signing key not matching", "$.portals[0].apps[0].signingKey", "does not match" },
        { "ID as a string", "$.portals[0].mailServices[0].id", "integer" },
        { "negative ID", "$.portals[0].users[0].id", "at least 1" },
        { "port out of range", "$.portals[0].mailServices[0].port", "between 1 and 65535" },
        { "flag as a string", "$.portals[0].mailServices[0].active", "true or false" },
        { "blank name", "$.portals[0].mailServices[0].name", "blank" },
        { "name too long", "$.portals[0].mailServices[0].name", "at most 255" },
        { "time without an offset", "$.portals[0].users[0].registered", "time" },
        { "redirect URI not http", "$.portals[0].apps[0].redirectUri", "http(s)" },
        { "version 2", "$.version", "must be 1" },
        { "no version", "$.version", "required" },
        { "no portals", "$.portals", "required" },
        { "portals not a list", "$.portals", "array" },
        { "portal not an object", "$.portals[0]", "object" },
        { "key given twice", "$.portals[0].code", "twice" },
        { "not JSON", "$", "not a JSON document" },
        { "JSON but not an object", "$", "object" },
    };

    private static string Bad(string name)
    {
        var document = StateKit.Sample();
        var portal = document["portals"]![0]!;
        var second = new JsonObject { ["code"] = "second", ["domain"] = "second.test", ["users"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "A" }) };
        JsonNode Hook(int i) => portal["webhooks"]![i]!;
        JsonNode Service(int i) => portal["mailServices"]![i]!;
        switch (name)
        {
            case "unknown top-level key": document["extra"] = 1; break;
            case "unknown service key": Service(0)["NAME"] = "x"; break;
            case "duplicate portal code": second["code"] = "acme"; document["portals"]!.AsArray().Add(second); break;
            case "duplicate webhook ID across portals":
                second["webhooks"] = new JsonArray(new JsonObject { ["id"] = 11, ["user"] = 1, ["secret"] = "othersecret00001", ["scopes"] = new JsonArray("mailservice") });
                document["portals"]!.AsArray().Add(second);
                break;
            case "duplicate service ID across portals":
                second["mailServices"] = new JsonArray(new JsonObject { ["id"] = 205, ["name"] = "x" });
                document["portals"]!.AsArray().Add(second);
                break;
            case "duplicate client ID":
                second["apps"] = new JsonArray(new JsonObject { ["id"] = 99, ["clientId"] = "local.acme0000000001.12345678", ["clientSecret"] = "12345678", ["name"] = "x", ["scopes"] = new JsonArray("user"), ["redirectUri"] = "https://x.test/" });
                document["portals"]!.AsArray().Add(second);
                break;
            case "duplicate webhook secret, plain and hashed": Hook(1)["secretSha256"] = StateKit.Sha256("acmesecret000001"); break;
            case "duplicate user ID": portal["users"]![1]!["id"] = 1; break;
            case "webhook for a missing user": Hook(1)["user"] = 3; break;
            case "app limited to a missing user": portal["apps"]![0]!["users"] = new JsonArray(9); break;
            case "logo that is not an image": portal["logos"]![0]!["base64"] = Convert.ToBase64String("just some text"u8.ToArray()); break;
            case "logo given as SVG": portal["logos"]![0]!["base64"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Images.SvgWithScript)); break;
            case "logo that is not base64": portal["logos"]![0]!["base64"] = "%%%"; break;
            case "logo as a path over the API": portal["logos"]![0]!.AsObject().Remove("base64"); portal["logos"]![0]!["path"] = "acme.png"; break;
            case "service naming a missing logo": Service(0)["logo"] = 31; break;
            case "bad scope": Hook(0)["scopes"] = new JsonArray("Mail Service"); break;
            case "no scope": Hook(0)["scopes"] = new JsonArray(); break;
            case "bad state": portal["state"] = "asleep"; break;
            case "bad licence": portal["license"] = "gold"; break;
            case "bad language": portal["language"] = "EN"; break;
            case "webhook secret of the wrong form": Hook(0)["secret"] = "ACMESECRET000001"; break;
            case "hash of the wrong form": Hook(1)["secretSha256"] = "abc"; break;
            case "both forms of a secret": Hook(0)["secretSha256"] = StateKit.Sha256("x"); break;
            case "no secret": Hook(0).AsObject().Remove("secret"); break;
            case "client secret too short": portal["apps"]![0]!["clientSecret"] = "short"; break;
            case "signing key not matching": portal["apps"]![0]!["signingKey"] = new string('0', 32); break;
            case "ID as a string": Service(0)["id"] = "100"; break;
            case "negative ID": portal["users"]![0]!["id"] = -1; break;
            case "port out of range": Service(0)["port"] = 70000; break;
            case "flag as a string": Service(0)["active"] = "Y"; break;
            case "blank name": Service(0)["name"] = "  "; break;
            case "name too long": Service(0)["name"] = new string('x', 256); break;
            case "time without an offset": portal["users"]![0]!["registered"] = "2025-01-02T03:04:05"; break;
            case "redirect URI not http": portal["apps"]![0]!["redirectUri"] = "javascript:alert(1)"; break;
            case "version 2": document["version"] = 2; break;
            case "no version": document.Remove("version"); break;
            case "no portals": document.Remove("portals"); break;
            case "portals not a list": document["portals"] = new JsonObject(); break;
            case "portal not an object": document["portals"] = new JsonArray(1); break;
            case "key given twice": return document.ToJsonString().Replace("\"code\":\"acme\"", "\"code\":\"acme\",\"code\":\"acme\"");
            case "not JSON": return "{\"version\": 1, \"portals\": [";
            case "JSON but not an object": return "[]";
            default: throw new ArgumentException(name);
        }
        return document.ToJsonString();
    }

    /// <summary>Each bad document is refused whole: 400, the problem named at its path, and the state as it was.</summary>
    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task A_bad_document_is_refused_whole_and_changes_nothing(string name, string path, string word)
    {
        await using var server = await LiveServer.StartAsync();
        var before = await server.ExportAsync();
        var errors = StateKit.Errors(await server.ImportAsync(Bad(name)));
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(word, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before, await server.ExportAsync());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
    }

    [Fact]
    public async Task The_sample_document_itself_is_good()
    {
        await using var server = await LiveServer.StartAsync();
        await server.ImportOkAsync(StateKit.Sample());
    }

    [Fact]
    public async Task Every_problem_is_listed_at_once()
    {
        await using var server = await LiveServer.StartAsync();
        var document = StateKit.Sample();
        document["portals"]![0]!["state"] = "asleep";
        document["portals"]![0]!["mailServices"]![0]!["port"] = 0;
        document["portals"]![0]!["webhooks"]![0]!["user"] = 9;
        var errors = StateKit.Errors(await server.ImportAsync(document));
        Assert.Equal(["$.portals[0].state", "$.portals[0].webhooks[0].user", "$.portals[0].mailServices[0].port"], errors.Select(e => e.Path));
    }

    [Fact]
    public async Task A_document_larger_than_the_body_limit_is_refused()
    {
        await using var server = await LiveServer.StartAsync("--max-body-bytes", "4096");
        var before = await server.ExportAsync();
        var document = StateKit.Sample();
        document["portals"]![0]!["users"]![0]!["name"] = new string('x', 200);
        for (var i = 0; i < 100; i++) document["portals"]![0]!["mailServices"]!.AsArray().Add(new JsonObject { ["id"] = 1000 + i, ["name"] = "filler " + i });
        var response = await server.ImportAsync(document);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        Assert.Contains("--max-body-bytes", response.Json.GetProperty("detail").GetString());
        // Without a length up front (chunked), Kestrel's own limit stops it: a 413, or the connection closed on a
        // client still sending (the answer is then lost on the way, which is HTTP/1.1's race, not a refusal missed).
        var chunked = new HttpRequestMessage(HttpMethod.Post, server.Control("/state")) { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString()))) };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        try
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await server.SendAsync(chunked)).Status);
        }
        catch (HttpRequestException)
        {
        }
        Assert.Equal(before, await server.ExportAsync());
    }

    [Fact]
    public async Task An_empty_portal_list_removes_every_portal()
    {
        await using var server = await LiveServer.StartAsync();
        var response = await server.ImportAsync("{\"version\": 1, \"portals\": []}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(StateKit.Parse(response.Raw)["portals"]!.AsArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        // And a restart makes no default portal again: the state is what the document said.
        await server.RestartAsync();
        Assert.Empty(StateKit.Parse(await server.ExportAsync())["portals"]!.AsArray());
        Assert.Equal("", server.Webhook);
    }

    [Fact]
    public async Task Replacing_the_state_ends_tokens_and_keeps_a_portals_internal_ID()
    {
        await using var server = await LiveServer.StartAsync();
        var portal = await server.PortalAsync();
        var app = await server.AddAppAsync(portal, "mailservice");
        var login = await server.LoginAsync(app, 1);
        var call = server.HttpsBase + "/rest/mailservice.list?auth=" + login.GetProperty("access_token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(call)).Status);
        await server.ImportOkAsync(StateKit.Parse(await server.ExportAsync()));
        Assert.Equal("invalid_token", (await server.GetAsync(call)).Error);
        Assert.Equal(portal.Id, (await server.PortalAsync()).Id);
        // The app and its secret are still there: a new sign-in works.
        await server.LoginAsync(app, 1);
    }

    [Fact]
    public async Task Two_portals_may_swap_member_ids_and_logo_keys_in_one_document()
    {
        await using var server = await LiveServer.StartAsync();
        var document = StateKit.Sample();
        var second = StateKit.Parse(document["portals"]![0]!.ToJsonString()).AsObject();
        second["code"] = "second";
        second["domain"] = "second.test";
        second["memberId"] = "second0member00000000000000000002";
        second["webhooks"] = new JsonArray();
        second["apps"] = new JsonArray();
        second["logos"]![0]!["id"] = 40;
        second["logos"]![0]!["key"] = "fedcba9876543210fedcba9876543210";
        second["mailServices"] = new JsonArray(new JsonObject { ["id"] = 300, ["name"] = "second", ["logo"] = 40 });
        document["portals"]!.AsArray().Add(second);
        await server.ImportOkAsync(document);
        (document["portals"]![0]!["memberId"], document["portals"]![1]!["memberId"]) = (JsonValue.Create("second0member00000000000000000002"), JsonValue.Create("acme0000member0000id000000000001"));
        (document["portals"]![0]!["logos"]![0]!["key"], document["portals"]![1]!["logos"]![0]!["key"]) = (JsonValue.Create("fedcba9876543210fedcba9876543210"), JsonValue.Create("0123456789abcdef0123456789abcdef"));
        var exported = StateKit.Parse(await server.ImportOkAsync(document));
        Assert.Equal("second0member00000000000000000002", (string)exported["portals"]![0]!["memberId"]!);
        var list = await server.GetAsync(server.HttpsBase + "/rest/1/acmesecret000001/mailservice.get?ID=100");
        var icon = await server.Client.GetAsync(list.Result.GetProperty("ICON").GetString());
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Contains("fedcba9876543210fedcba9876543210", list.Result.GetProperty("ICON").GetString());
    }
}
