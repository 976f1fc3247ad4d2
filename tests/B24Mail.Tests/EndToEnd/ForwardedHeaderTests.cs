using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>Behind a TLS proxy: X-Forwarded-Proto from a trusted proxy decides the HTTPS rule; from anyone else it is ignored.</summary>
public sealed class ForwardedHeaderTests
{
    private const string ProxyHost = "mail.example.test";

    private static async Task<RestResponse> ViaProxyAsync(LiveServer server, string path, string? proto, string? forwardedFor = null, string? forwardedHost = null, string? baseUrl = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, (baseUrl ?? server.HttpBase) + path);
        if (proto is not null) request.Headers.Add("X-Forwarded-Proto", proto);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (forwardedHost is not null) request.Headers.Add("X-Forwarded-Host", forwardedHost);
        return await server.SendAsync(request);
    }

    /// <summary>A service with an icon, and a refresh token: the two things whose answers carry this server's URL.</summary>
    private static async Task<(long ServiceId, TestApp App, string RefreshToken)> UrlBearersAsync(LiveServer server)
    {
        var id = await server.AddServiceAsync(new { NAME = "With logo", ICON = new[] { "logo.png", Convert.ToBase64String(Images.Png()) } });
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var refresh = (await server.LoginAsync(app, 1)).GetProperty("refresh_token").GetString()!;
        return (id, app, refresh);
    }

    /// <summary>The icon URL in get and list, and the endpoints of a refreshed token, all asked for with the given headers.</summary>
    private static async Task<string[]> UrlsAsync(LiveServer server, string? proto, string? forwardedHost, string? baseUrl = null)
    {
        var (id, app, refresh) = await UrlBearersAsync(server);
        var hook = new Uri(server.Webhook).AbsolutePath;
        var get = await ViaProxyAsync(server, hook + "mailservice.get?ID=" + id, proto, forwardedHost: forwardedHost, baseUrl: baseUrl);
        Assert.True(get.Status == HttpStatusCode.OK, get.Raw);
        var list = await ViaProxyAsync(server, hook + "mailservice.list", proto, forwardedHost: forwardedHost, baseUrl: baseUrl);
        Assert.True(list.Status == HttpStatusCode.OK, list.Raw);
        var listed = list.Result.EnumerateArray().Single(s => s.GetProperty("ID").GetString() == id.ToString());
        var token = await ViaProxyAsync(server,
            $"/oauth/token/?grant_type=refresh_token&client_id={app.App.ClientId}&client_secret={Uri.EscapeDataString(app.ClientSecret)}&refresh_token={Uri.EscapeDataString(refresh)}",
            proto, forwardedHost: forwardedHost, baseUrl: baseUrl);
        Assert.True(token.Status == HttpStatusCode.OK, token.Raw);
        return
        [
            get.Result.GetProperty("ICON").GetString()!,
            listed.GetProperty("ICON").GetString()!,
            token.Json.GetProperty("client_endpoint").GetString()!,
            token.Json.GetProperty("server_endpoint").GetString()!,
        ];
    }

    [Fact]
    public async Task A_trusted_proxy_that_terminated_tls_makes_a_webhook_call_https()
    {
        await using var server = await LiveServer.StartAsync("--trusted-proxies", "127.0.0.1,::1");
        var path = new Uri(server.Webhook).AbsolutePath + "mailservice.list";
        Assert.Equal(HttpStatusCode.OK, (await ViaProxyAsync(server, path, "https")).Status);
        var plain = await ViaProxyAsync(server, path, "http");
        Assert.Equal(HttpStatusCode.BadRequest, plain.Status);
        Assert.Equal("Https required", plain.ErrorDescription);
        Assert.Equal(HttpStatusCode.BadRequest, (await ViaProxyAsync(server, path, null)).Status);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var issued = await server.Services.GetService<B24Mail.Rest.OAuth.OAuthServer>()!.IssueAsync(app.App, (await server.Services.GetService<B24Mail.Rest.Identity.IIdentityStore>()!.FindUserAsync(app.App.PortalId, 1))!, default);
        var token = await ViaProxyAsync(server, "/rest/mailservice.fields?auth=" + issued.AccessToken, "https");
        Assert.Equal(HttpStatusCode.OK, token.Status);
    }

    [Fact]
    public async Task Urls_in_answers_name_the_scheme_and_host_the_client_used_through_a_trusted_proxy()
    {
        await using var server = await LiveServer.StartAsync("--trusted-proxies", "127.0.0.1,::1");
        var urls = await UrlsAsync(server, "https", ProxyHost);
        Assert.StartsWith($"https://{ProxyHost}/upload/mailservice/icon/", urls[0]);
        Assert.Equal(urls[0], urls[1]);
        Assert.Equal($"https://{ProxyHost}/rest/", urls[2]);
        Assert.StartsWith($"https://{ProxyHost}/oauth/", urls[3]);
    }

    [Fact]
    public async Task Urls_in_answers_ignore_forwarded_headers_from_an_untrusted_peer()
    {
        await using var server = await LiveServer.StartAsync();
        // Over HTTPS, since plain HTTP is refused anyway; a forwarded "http" and host must not change the URLs.
        var urls = await UrlsAsync(server, "http", ProxyHost, server.HttpsBase);
        Assert.StartsWith(server.HttpsBase + "/upload/mailservice/icon/", urls[0]);
        Assert.Equal(urls[0], urls[1]);
        Assert.Equal(server.HttpsBase + "/rest/", urls[2]);
        Assert.StartsWith(server.HttpsBase + "/oauth/", urls[3]);
    }

    [Fact]
    public async Task Without_trusted_proxies_the_header_is_ignored()
    {
        await using var server = await LiveServer.StartAsync();
        var response = await ViaProxyAsync(server, new Uri(server.Webhook).AbsolutePath + "mailservice.list", "https");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("INVALID_REQUEST", response.Error);
    }

    [Fact]
    public async Task Forwarded_clients_get_buckets_of_their_own()
    {
        await using var server = await LiveServer.StartAsync("--trusted-proxies", "127.0.0.1,::1", "--rate-limit", "true", "--rate-limit-burst", "2", "--rate-limit-per-second", "0.001");
        var path = new Uri(server.Webhook).AbsolutePath + "mailservice.fields";
        Assert.Equal(HttpStatusCode.OK, (await ViaProxyAsync(server, path, "https", "203.0.113.7")).Status);
        Assert.Equal(HttpStatusCode.OK, (await ViaProxyAsync(server, path, "https", "203.0.113.7")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ViaProxyAsync(server, path, "https", "203.0.113.7")).Status);
        Assert.Equal(HttpStatusCode.OK, (await ViaProxyAsync(server, path, "https", "198.51.100.9")).Status);
    }
}
