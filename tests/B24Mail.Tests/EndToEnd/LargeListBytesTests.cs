using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using B24Mail.Tests.ControlPlane;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// The exact bytes of a large <c>mailservice.list</c> answer, pinned to what the server wrote before list writing was
/// made faster (issue #15): field order, escaping, strings for numbers, nulls, icon URLs, and the time block's shape.
/// The services come in through the state document, so every field (the SMTP ones too) and every ID is fixed.
/// </summary>
public sealed partial class LargeListBytesTests
{
    private const int Services = 1000;

    // SHA-256 of the answers below with the server's address and the time block's values replaced, as the
    // server wrote them on main at 54ddb65.
    private const string JsonSha256 = "3672d632d000fd0293270df0e74884d3124c2598fb3412394b11bedc0de3f2b5";
    private const string XmlSha256 = "898f5ed1f7375b27558f849701ddfd684a48f8e009938d60318d0ffb8e6da4cb";

    private static readonly string[] Names =
    [
        "Mail ñ", "Почта", "emoji 😀 and 𝄞", "quote \" back \\ slash / end", "<b>&amp;'x'</b>", "tab\t and more",
        "€ ¥ £", "del \u007f", "line\u2028sep\u2029", "日本語のメール", "plain ascii name", "  padded  ",
    ];

    private static readonly string?[] Links =
    [
        null, "https://mail.example.com/login?u=1&x=/a/b#frag", "https://почта.example/вход", "http://x.example/<script>", "",
    ];

    private static JsonObject Document(JsonNode exported)
    {
        var portal = exported["portals"]![0]!.AsObject();
        var png = Convert.ToBase64String(Images.Png(4, 4));
        portal["logos"] = new JsonArray
        {
            new JsonObject { ["id"] = 7, ["key"] = "0123456789abcdef0123456789abcdef", ["fileName"] = "logo one.png", ["base64"] = png },
            new JsonObject { ["id"] = 8, ["key"] = "fedcba9876543210fedcba9876543210", ["fileName"] = "ünï cødé (2).png", ["base64"] = png },
            new JsonObject { ["id"] = 9000000001, ["key"] = "00000000000000000000000000000009", ["fileName"] = "a&b=c+d%20e.png", ["base64"] = png },
        };
        var services = new JsonArray();
        for (var i = 0; i < Services + Services / 10; i++)
        {
            var service = new JsonObject
            {
                // IDs out of order against sort and name, one beyond 32 bits.
                ["id"] = i == 5 ? 9_007_199_254_740_993L : 3 + (i * 7919L) % 100_000,
                ["active"] = i % 11 != 10,
                ["sort"] = i == 3 ? int.MaxValue : (i % 37) * 10,
                ["name"] = $"{Names[i % Names.Length]} {i % 250}",
                ["server"] = i % 13 == 0 ? "" : $"imap{i}.Example.COM",
                ["port"] = i % 3 == 0 ? null : 1 + (i * 31) % 65535,
                ["encryption"] = i % 2 == 0,
                ["link"] = Links[i % Links.Length],
                ["logo"] = (i % 4) switch { 0 => null, 1 => 7, 2 => 8, _ => 9000000001 },
                ["smtpServer"] = i % 5 == 0 ? null : $"smtp{i}.example.com",
                ["smtpPort"] = i % 5 == 0 ? null : 587,
                ["smtpLoginAsImap"] = i % 3 == 1,
                ["smtpPasswordAsImap"] = i % 4 == 1,
                ["smtpEncryption"] = (i % 3) switch { 0 => null, 1 => true, _ => false },
                ["uploadOutgoing"] = (i % 7) switch { 0 => null, 1 => true, _ => false },
            };
            services.Add(service);
        }
        portal["mailServices"] = services;
        return exported.AsObject();
    }

    [Fact]
    public async Task A_list_of_a_thousand_services_is_written_byte_for_byte_as_before()
    {
        await using var server = await LiveServer.StartAsync("--allow-http", "true");
        await server.ImportOkAsync(Document(StateKit.Parse(await server.ExportAsync())));

        var json = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Webhook + "mailservice.list"));
        Assert.Equal(HttpStatusCode.OK, json.Status);
        Assert.Equal(Services, json.Result.GetArrayLength());
        var jsonText = Normalize(await json.Message.Content.ReadAsByteArrayAsync(), server);
        Assert.Matches(JsonTime(), jsonText);
        Assert.Equal(JsonSha256, Sha256(jsonText));

        // Asked again: from the second answer on, the cached rows' JSON is made once and copied as bytes
        // (MailServiceRows), and a client on another address (plain HTTP here) gets its own icon URLs.
        var over = new[] { server.HttpsBase, server.HttpsBase, server.HttpBase, server.HttpBase, server.HttpsBase };
        foreach (var address in over)
        {
            var again = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, address + new Uri(server.Webhook).AbsolutePath + "mailservice.list"));
            var body = await again.Message.Content.ReadAsByteArrayAsync();
            Assert.Equal(jsonText, Normalize(body, server).Replace(server.HttpBase, "https://SERVER"));
            if (address == server.HttpBase) Assert.DoesNotContain(server.HttpsBase, Encoding.UTF8.GetString(body));
        }

        var xml = await server.SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Webhook + "mailservice.list.xml"));
        Assert.Equal(HttpStatusCode.OK, xml.Status);
        var xmlText = Normalize(await xml.Message.Content.ReadAsByteArrayAsync(), server);
        Assert.Equal(XmlSha256, Sha256(xmlText));
    }

    /// <summary>The server's address (it is in every icon URL) and the clock's values, which differ from run to run, made constant.</summary>
    private static string Normalize(byte[] body, LiveServer server)
    {
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body).Replace(server.HttpsBase, "https://SERVER");
        text = Regex.Replace(text, "(\"(?:start|finish|duration|processing|operating|operating_reset_at)\":)-?[0-9.eE+-]+", "$1N");
        text = Regex.Replace(text, "(\"date_(?:start|finish)\":)\"[^\"]*\"", "$1\"D\"");
        text = Regex.Replace(text, "<(start|finish|duration|processing|operating|operating_reset_at|date_start|date_finish)>[^<]*</", "<$1>V</");
        return text;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex("^\\{\"result\":\\[\\{\"ID\":\"\\d+\",\"SITE_ID\":.*\\],\"time\":\\{\"start\":N,\"finish\":N,\"duration\":N,\"processing\":N,\"date_start\":\"D\",\"date_finish\":\"D\"(,\"operating_reset_at\":N,\"operating\":N)?\\}\\}$", RegexOptions.Singleline)]
    private static partial Regex JsonTime();
}
