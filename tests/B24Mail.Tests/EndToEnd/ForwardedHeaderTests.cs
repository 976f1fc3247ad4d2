using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>Behind a TLS proxy: X-Forwarded-Proto from a trusted proxy decides the HTTPS rule; from anyone else it is ignored.</summary>
public sealed class ForwardedHeaderTests
{
    private static async Task<RestResponse> ViaProxyAsync(LiveServer server, string path, string? proto, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, server.HttpBase + path);
        if (proto is not null) request.Headers.Add("X-Forwarded-Proto", proto);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await server.SendAsync(request);
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
        // Icon and token URLs name the scheme the client used.
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var issued = await server.Services.GetService<B24Mail.Rest.OAuth.OAuthServer>()!.IssueAsync(app.App, (await server.Services.GetService<B24Mail.Rest.Identity.IIdentityStore>()!.FindUserAsync(app.App.PortalId, 1))!, default);
        var token = await ViaProxyAsync(server, "/rest/mailservice.fields?auth=" + issued.AccessToken, "https");
        Assert.Equal(HttpStatusCode.OK, token.Status);
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
