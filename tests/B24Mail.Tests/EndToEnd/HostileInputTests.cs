using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// Requests an attacker or a broken client sends on purpose: each gets a documented 400-class answer, costs
/// little, and leaves no stack trace in the log.
/// </summary>
public sealed class HostileInputTests
{
    /// <summary>Sends raw bytes over plain HTTP and returns the status line's code (0 if the server closed without one).</summary>
    private static async Task<(int Status, string Response)> RawAsync(LiveServer server, string request, TimeSpan? wait = null)
    {
        var uri = new Uri(server.HttpBase);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) break;
                read += n;
                var text = Encoding.ASCII.GetString(buffer, 0, read);
                var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd < 0) continue;
                // Complete once the declared body is in (every answer here declares its length).
                var length = System.Text.RegularExpressions.Regex.Match(text[..headerEnd], @"(?im)^Content-Length:\s*(\d+)");
                if (length.Success && read - headerEnd - 4 >= int.Parse(length.Groups[1].Value)) break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        var response = Encoding.ASCII.GetString(buffer, 0, read);
        return (response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(response.AsSpan(9, 3)) : 0, response);
    }

    private static string WebhookPath(LiveServer server) => new Uri(server.Webhook).AbsolutePath;

    private static void AssertNoStackTrace(LogSink sink)
    {
        foreach (var line in sink.Lines)
        {
            Assert.DoesNotContain("Exception", line);
            Assert.DoesNotContain("   at ", line);
        }
    }

    private static Task<LiveServer> StartWithLogAsync(LogSink sink) =>
        LiveServer.StartAsync(LiveServer.NewDataDir(), ["--allow-http", "true"], configure: builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddProvider(sink);
        });

    public static TheoryData<string> BodyEndpoints => ["/rest/{hook}mailservice.list", "/rest/mailservice.list", "/oauth/token/", "/oauth/authorize/", "/oauth/rest/app.info"];

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task A_chunk_size_that_overflows_is_400_with_no_stack_trace(string path)
    {
        var sink = new LogSink();
        await using var server = await StartWithLogAsync(sink);
        path = path.Replace("/rest/{hook}", WebhookPath(server));
        var (status, response) = await RawAsync(server,
            $"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nffffffffffffffffffff\r\nabc\r\n0\r\n\r\n");
        Assert.True(status == 400, response);
        AssertNoStackTrace(sink);
    }

    [Theory]
    [InlineData("/rest/mailservice.list", 2_147_483_600L)]
    [InlineData("/oauth/token/", 2_147_483_600L)]
    [InlineData("/rest/mailservice.list", 100_000_000_000L)]
    [InlineData("/rest/mailservice.list", 16L * 1024 * 1024 + 1)]
    public async Task A_declared_length_past_the_limit_is_413_before_any_memory_is_taken_for_it(string path, long declared)
    {
        var sink = new LogSink();
        await using var server = await StartWithLogAsync(sink);
        // Up to 2 GB an array of the declared length could be asked for; past the body limit it must not be.
        var (status, response) = await RawAsync(server,
            $"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared}\r\n\r\nauth=x");
        Assert.True(status == 413, response);
        AssertNoStackTrace(sink);
    }

    [Fact]
    public async Task A_host_longer_than_a_host_name_can_be_is_400_and_a_long_real_one_works()
    {
        await using var server = await LiveServer.StartAsync("--allow-http", "true");
        var path = WebhookPath(server);
        var (status, response) = await RawAsync(server, $"GET {path}mailservice.list HTTP/1.1\r\nHost: {new string('h', 30_000)}\r\n\r\n");
        Assert.True(status == 400, response);
        // 253 characters and a port: the longest a host can be, and it is served.
        var longest = string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..253] + ":65535";
        (status, response) = await RawAsync(server, $"GET {path}mailservice.list HTTP/1.1\r\nHost: {longest}\r\n\r\n");
        Assert.True(status == 200, response);
    }

    [Fact]
    public async Task A_batch_key_that_is_no_xml_name_answers_in_xml_as_item()
    {
        var sink = new LogSink();
        await using var server = await StartWithLogAsync(sink);
        var response = await server.GetAsync(server.Webhook + "batch.xml?cmd%5Ba:b%5D=scope&cmd%5Bx%3Ay%3Az%5D=mailservice.get%3FID%3D1");
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        Assert.StartsWith("<?xml", response.Raw);
        Assert.Contains("<item>", response.Raw);
        Assert.Contains("<item>mailservice</item>", response.Raw);
        AssertNoStackTrace(sink);
    }

    [Fact]
    public async Task A_refused_webhook_is_answered_before_its_body_is_read()
    {
        await using var server = await LiveServer.StartAsync("--allow-http", "true");
        // Declares 10 MB and sends none of it: only a server that checks the credential first can answer.
        var (status, response) = await RawAsync(server,
            "POST /rest/1/wrongsecret00000/mailservice.get HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{",
            TimeSpan.FromSeconds(5));
        Assert.True(status == 401, response);
        Assert.Contains("INVALID_CREDENTIALS", response);

        // So is an unknown method, and a bad Bearer token.
        (status, response) = await RawAsync(server,
            $"POST {WebhookPath(server)}no.such.method HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{{", TimeSpan.FromSeconds(5));
        Assert.True(status == 404, response);
        (status, response) = await RawAsync(server,
            "POST /rest/mailservice.get HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{", TimeSpan.FromSeconds(5));
        Assert.True(status == 401, response);
        Assert.Contains("invalid_token", response);
    }

    [Fact]
    public async Task A_good_webhook_with_a_body_still_works_and_its_body_wins_over_the_query()
    {
        await using var server = await LiveServer.StartAsync();
        var response = await server.PostJsonAsync(server.Webhook + "mailservice.get?ID=999999", """{"ID":1}""");
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        Assert.Equal("1", response.Result.GetProperty("ID").GetString());
    }

    [Fact]
    public async Task A_json_body_of_more_values_than_the_cap_counts_as_no_parameters()
    {
        await using var server = await LiveServer.StartAsync();
        var many = "{\"ID\":1,\"x\":[" + string.Join(",", Enumerable.Repeat("1", 20_000)) + "]}";
        var response = await server.PostJsonAsync(server.Webhook + "mailservice.get", many);
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.Raw);
        Assert.Equal("Mail service ID not specified", response.ErrorDescription);
    }

    [Fact]
    public async Task Access_name_takes_each_code_once_and_at_most_the_cap()
    {
        await using var server = await LiveServer.StartAsync();
        var second = await server.AddUserAsync(admin: false, name: "Second");
        var codes = Enumerable.Repeat($"U{second}", 3000).Concat(Enumerable.Range(10_000, 1200).Select(i => "U" + i)).Append("U1").ToArray();
        var response = await server.PostJsonAsync(server.Webhook + "access.name", new { ACCESS = codes });
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        var names = response.Result.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("name").GetString());
        Assert.Equal("Second", names[$"U{second}"]);
        // U1 comes after more than 1,000 distinct codes: past the cap, so not named.
        Assert.False(names.ContainsKey("U1"), response.Raw);
        Assert.Single(names);

        var both = await server.PostFormAsync(server.Webhook + "access.name", $"ACCESS[]=U1&ACCESS[]=u{second}&ACCESS[]=U1&ACCESS[]=AU");
        Assert.Equal(["AU", "U1", $"u{second}"], both.Result.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_oauth_state_longer_than_the_cap_is_refused_without_a_redirect()
    {
        await using var server = await LiveServer.StartAsync();
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        using var client = OAuthTestKit.NoRedirectClient(server);
        var longState = new string('s', 2049);
        var refused = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&state={longState}&user_id=1&approve=Y");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(refused.Headers.Location);
        var accepted = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&state={longState[..2048]}&user_id=1&approve=Y");
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }
}
