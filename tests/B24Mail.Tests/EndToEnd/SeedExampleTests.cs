using System.Diagnostics;
using System.Text.Json;

namespace B24Mail.Tests.EndToEnd;

/// <summary>The curl example of ../shared/seed/mailservice.add.txt, run with the real curl, placeholders filled in.</summary>
public sealed class SeedExampleTests
{
    private const string SeedFields = """
        "NAME": "My Mail Service",
        "ACTIVE": "Y",
        "SERVER": "imap.my-mail.com",
        "PORT": 993,
        "ENCRYPTION": "Y",
        "LINK": "https://mail.my-mail.com/",
        "SORT": 500
        """;

    [Fact]
    public async Task The_seed_webhook_curl_example_works_as_written()
    {
        await using var server = await LiveServer.StartAsync();
        var address = new Uri(server.HttpsBase).Authority;
        var path = new Uri(server.Webhook).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var output = await CurlAsync(server, "{\n" + SeedFields + "\n}", $"https://{address}/rest/{path[1]}/{path[2]}/mailservice.add");
        await AssertAddedAsync(server, output);
    }

    [Fact]
    public async Task The_seed_oauth_curl_example_works_as_written()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var token = (await server.LoginAsync(app, 1)).GetProperty("access_token").GetString()!;
        var address = new Uri(server.HttpsBase).Authority;
        var output = await CurlAsync(server, "{\n" + SeedFields + ",\n\"auth\": \"" + token + "\"\n}", $"https://{address}/rest/mailservice.add");
        await AssertAddedAsync(server, output);
    }

    private static async Task<string> CurlAsync(LiveServer server, string body, string url)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--silent", "--cacert", Path.Combine(server.DataDir, "tls", "server.crt"),
            "-X", "POST",
            "-H", "Content-Type: application/json",
            "-H", "Accept: application/json",
            "-d", body,
            url,
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, await curl.StandardError.ReadToEndAsync());
        return output;
    }

    private static async Task AssertAddedAsync(LiveServer server, string output)
    {
        var body = JsonDocument.Parse(output).RootElement;
        var id = body.GetProperty("result").GetInt64();
        Assert.Equal(8, body.GetProperty("time").EnumerateObject().Count());
        var row = await server.GetServiceAsync(id);
        Assert.Equal("My Mail Service", row.GetProperty("NAME").GetString());
        Assert.Equal("500", row.GetProperty("SORT").GetString());
        Assert.Equal("imap.my-mail.com", row.GetProperty("SERVER").GetString());
    }
}
