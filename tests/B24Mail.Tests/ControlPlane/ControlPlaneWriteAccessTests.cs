using System.Net;
using System.Text;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary>
/// The requests a hostile web page in the user's browser could send to a server on localhost, aimed at the
/// writes that would hurt most: a reset, and a state replaced. Each is refused, and the state is as it was.
/// </summary>
public sealed class ControlPlaneWriteAccessTests : IClassFixture<ServerFixture>
{
    private readonly LiveServer _server;

    public ControlPlaneWriteAccessTests(ServerFixture fixture) => _server = fixture.Server;

    public static TheoryData<string, string> Forgeries => new()
    {
        { "form post", "text/plain" },
        { "form post", "application/x-www-form-urlencoded" },
        { "form post", "multipart/form-data" },
        { "cross-site origin", "https://evil.example" },
        { "null origin", "null" },
        { "fetch metadata", "cross-site" },
        { "fetch metadata", "same-site" },
        { "rebinding host", "evil.example" },
        { "rebinding host", "localhost.evil.example" },
        { "no content type", "" },
    };

    private HttpRequestMessage Forge(string path, string kind, string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _server.Control(path));
        var json = new StringContent("{}", Encoding.UTF8, "application/json");
        switch (kind)
        {
            case "form post" when value == "multipart/form-data":
                request.Content = new MultipartFormDataContent { { new StringContent("{}"), "state" } };
                break;
            case "form post":
                request.Content = new StringContent("{}", Encoding.UTF8, value);
                break;
            case "cross-site origin" or "null origin":
                request.Content = json;
                request.Headers.Add("Origin", value);
                break;
            case "fetch metadata":
                request.Content = json;
                request.Headers.Add("Sec-Fetch-Site", value);
                break;
            case "rebinding host":
                request.Content = json;
                request.Headers.Host = value;
                break;
            case "no content type":
                request.Content = new ByteArrayContent([]);
                break;
        }
        return request;
    }

    private static HttpStatusCode Expected(string kind) => kind switch
    {
        "form post" or "no content type" => HttpStatusCode.UnsupportedMediaType,
        _ => HttpStatusCode.Forbidden,
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_reset_is_refused_and_changes_nothing(string kind, string value)
    {
        var marker = await _server.AddServiceAsync(new { NAME = "made before the forged reset" });
        var before = await _server.ExportAsync();
        foreach (var path in new[] { "/reset", "/portals/default/reset" })
        {
            var response = await _server.SendAsync(Forge(path, kind, value));
            Assert.Equal(Expected(kind), response.Status);
            Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(before, await _server.ExportAsync());
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync(_server.Webhook + $"mailservice.get?ID={marker}")).Status);
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_state_is_refused_and_changes_nothing(string kind, string value)
    {
        var before = await _server.ExportAsync();
        var request = Forge("/state", kind, value);
        if (request.Content is StringContent && kind != "form post") request.Content = new StringContent("{\"version\":1,\"portals\":[]}", Encoding.UTF8, "application/json");
        var response = await _server.SendAsync(request);
        Assert.Equal(Expected(kind), response.Status);
        Assert.Equal(before, await _server.ExportAsync());
    }

    /// <summary>The same requests, made as a test suite makes them, do reset: the refusals above are the forgery's, not the route's.</summary>
    [Fact]
    public async Task The_honest_request_resets()
    {
        await using var server = await LiveServer.StartAsync();
        var baseline = await server.ExportAsync();
        await server.AddServiceAsync(new { NAME = "to go" });
        var request = new HttpRequestMessage(HttpMethod.Post, server.Control("/reset")) { Content = new StringContent("", Encoding.UTF8, "application/json") };
        // A browser on the server's own page sends these, which are fine.
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.Add("Origin", server.HttpsBase);
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(request)).Status);
        Assert.Equal(baseline, await server.ExportAsync());
    }
}
