using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary>The state endpoints as a test calls them, and state documents to edit.</summary>
public static class StateKit
{
    public static string Control(this LiveServer server, string path) => server.HttpsBase + "/_b24mail" + path;

    /// <summary>GET /_b24mail/state, checked to be 200; the raw document.</summary>
    public static async Task<string> ExportAsync(this LiveServer server)
    {
        var response = await server.GetAsync(server.Control("/state"));
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return response.Raw;
    }

    public static Task<RestResponse> ImportAsync(this LiveServer server, string document) => server.PostJsonAsync(server.Control("/state"), document);

    public static Task<RestResponse> ImportAsync(this LiveServer server, JsonNode document) => server.ImportAsync(document.ToJsonString());

    public static async Task<string> ImportOkAsync(this LiveServer server, JsonNode document)
    {
        var response = await server.ImportAsync(document);
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return response.Raw;
    }

    public static Task<RestResponse> ResetAsync(this LiveServer server, string? portal = null) =>
        server.PostJsonAsync(server.Control(portal is null ? "/reset" : $"/portals/{portal}/reset"), "{}");

    public static async Task ResetOkAsync(this LiveServer server, string? portal = null)
    {
        var response = await server.ResetAsync(portal);
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
    }

    public static JsonNode Parse(string json) => JsonNode.Parse(json)!;

    public static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Errors of a refused document: (path, message) pairs.</summary>
    public static List<(string Path, string Message)> Errors(RestResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.Raw);
        Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        return response.Json.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("path").GetString()!, e.GetProperty("message").GetString()!)).ToList();
    }

    /// <summary>
    /// A small but complete document: portal "acme" with two users, a webhook given plain, one given as a hash,
    /// an app limited to user 2, a logo shared by two services, and services with every field.
    /// </summary>
    public static JsonObject Sample(string webhookSecret = "acmesecret000001", string clientSecret = "acme-client-secret-0001") => new()
    {
        ["version"] = 1,
        ["portals"] = new JsonArray
        {
            new JsonObject
            {
                ["code"] = "acme",
                ["domain"] = "acme.test",
                ["memberId"] = "acme0000member0000id000000000001",
                ["license"] = "ent10000",
                ["language"] = "de",
                ["state"] = "active",
                ["rateLimit"] = new JsonObject { ["enabled"] = true, ["burst"] = 500, ["perSecond"] = 20.5 },
                ["users"] = new JsonArray
                {
                    new JsonObject { ["id"] = 1, ["name"] = "Ada", ["lastName"] = "Admin", ["email"] = "ada@acme.test", ["admin"] = true, ["registered"] = "2025-01-02T03:04:05Z" },
                    new JsonObject { ["id"] = 2, ["name"] = "Bob", ["admin"] = false, ["active"] = true, ["registered"] = "2025-02-03T04:05:06Z", ["lastLogin"] = "2025-03-04T05:06:07Z" },
                },
                ["webhooks"] = new JsonArray
                {
                    new JsonObject { ["id"] = 11, ["user"] = 1, ["secret"] = webhookSecret, ["scopes"] = new JsonArray("mailservice", "user"), ["title"] = "tests", ["created"] = "2025-01-02T03:04:05Z" },
                    new JsonObject { ["id"] = 12, ["user"] = 2, ["secretSha256"] = Sha256("bobsecret0000001"), ["scopes"] = new JsonArray("mailservice"), ["expires"] = "2099-01-01T00:00:00Z", ["created"] = "2025-01-02T03:04:05Z" },
                },
                ["apps"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["id"] = 7, ["clientId"] = "local.acme0000000001.12345678", ["clientSecret"] = clientSecret, ["name"] = "Acme App",
                        ["scopes"] = new JsonArray("mailservice", "user"), ["redirectUri"] = "https://app.example/callback?x=1", ["users"] = new JsonArray(2),
                    },
                },
                ["logos"] = new JsonArray
                {
                    new JsonObject { ["id"] = 30, ["key"] = "0123456789abcdef0123456789abcdef", ["fileName"] = "acme.png", ["base64"] = Convert.ToBase64String(Images.Png(4, 4)) },
                },
                ["mailServices"] = new JsonArray
                {
                    new JsonObject { ["id"] = 100, ["name"] = "Acme Mail", ["server"] = "imap.acme.test", ["port"] = 993, ["encryption"] = true, ["link"] = "https://mail.acme.test/", ["logo"] = 30, ["sort"] = 10 },
                    new JsonObject
                    {
                        ["id"] = 205, ["active"] = false, ["sort"] = 20, ["name"] = "Legacy", ["server"] = "imap.legacy.test", ["port"] = null, ["encryption"] = false, ["link"] = null, ["logo"] = 30,
                        ["smtpServer"] = "smtp.legacy.test", ["smtpPort"] = 587, ["smtpLoginAsImap"] = true, ["smtpPasswordAsImap"] = true, ["smtpEncryption"] = true, ["uploadOutgoing"] = false,
                    },
                },
            },
        },
    };

    /// <summary>Writes a document to a new folder (with any files beside it) and returns its path.</summary>
    public static string WriteDocument(JsonNode document, params (string Name, byte[] Content)[] files)
    {
        var folder = Path.Combine(Path.GetTempPath(), "b24mail-tests", "doc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }
        var file = Path.Combine(folder, "state.json");
        File.WriteAllText(file, document.ToJsonString());
        return file;
    }
}
