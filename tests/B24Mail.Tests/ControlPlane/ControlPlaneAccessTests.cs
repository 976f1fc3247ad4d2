using System.Net;
using System.Text.Json;
using B24Mail.Server.ControlPlane;
using B24Mail.Tests.EndToEnd;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.ControlPlane;

/// <summary>Who may reach /_b24mail/: loopback, or the admin key; never a page in the user's browser through another name.</summary>
public sealed class ControlPlaneAccessTests
{
    private const string AdminKey = "0123456789abcdef-test-key";

    [Fact]
    public async Task Loopback_reads_the_server_info()
    {
        await using var server = await LiveServer.StartAsync();
        var response = await server.GetAsync(server.HttpsBase + "/_b24mail/");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var portal = response.Json.GetProperty("portals")[0];
        Assert.Equal("default", portal.GetProperty("code").GetString());
        Assert.Equal("active", portal.GetProperty("state").GetString());
        Assert.Equal(LiveServer.OnPostgres ? "postgres" : "sqlite", response.Json.GetProperty("store").GetString());
    }

    [Fact]
    public async Task Switched_off_it_is_not_there()
    {
        await using var server = await LiveServer.StartAsync("--control-plane", "false");
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync(server.HttpsBase + "/_b24mail/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync(server.HttpsBase + "/_b24mail/openapi.json")).Status);
        // Nothing could read a journal or add a rule, so calls neither record nor ask.
        Assert.IsType<B24Mail.Rest.Transport.NoRestRecorder>(server.Services.GetRequiredService<B24Mail.Rest.Transport.IRestRecorder>());
        Assert.Null(server.Services.GetService<B24Mail.Rest.Faults.IFaultHook>());
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("localhost.attacker.example")]
    [InlineData("127.0.0.1.nip.io")]
    public async Task A_rebound_name_is_refused_without_the_key(string host)
    {
        await using var server = await LiveServer.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/_b24mail/");
        request.Headers.Host = host;
        var response = await server.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        Assert.Equal(403, response.Json.GetProperty("status").GetInt32());
        Assert.Contains(host, response.Json.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("acme.localhost")]
    [InlineData("[::1]")]
    [InlineData("10.1.2.3")]
    public async Task Local_names_and_addresses_are_this_servers(string host)
    {
        await using var server = await LiveServer.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/_b24mail/");
        request.Headers.Host = host;
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(request)).Status);
    }

    /// <summary>Behind a trusted proxy the client is the forwarded address, so these requests are not loopback.</summary>
    [Fact]
    public async Task Other_clients_need_the_admin_key()
    {
        await using var server = await LiveServer.StartAsync("--trusted-proxies", "127.0.0.1", "--admin-key", AdminKey);
        HttpRequestMessage Remote(string? key, string host = "b24.example.net")
        {
            var request = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/_b24mail/");
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
            request.Headers.Host = host;
            if (key is not null) request.Headers.Authorization = new("Bearer", key);
            return request;
        }

        var none = await server.SendAsync(Remote(null));
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Equal("Bearer", none.Message.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(Remote("0123456789abcdef-wrong-key"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(Remote(AdminKey[..^1]))).Status);
        // With the key, any name: a rebinding page cannot know it.
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(Remote(AdminKey))).Status);
    }

    [Fact]
    public async Task Without_an_admin_key_only_loopback_may_call()
    {
        await using var server = await LiveServer.StartAsync("--trusted-proxies", "127.0.0.1");
        var request = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/_b24mail/");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        var response = await server.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains("--admin-key", response.Json.GetProperty("detail").GetString());
        // Any key is wrong when none was set.
        var keyed = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/_b24mail/");
        keyed.Headers.Add("X-Forwarded-For", "203.0.113.9");
        keyed.Headers.Authorization = new("Bearer", "anything-at-all-0000");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(keyed)).Status);
    }

    [Fact]
    public async Task A_short_admin_key_stops_the_server_at_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => LiveServer.StartAsync("--admin-key", "short"));
        Assert.Contains("--admin-key", error.Message);
    }

    [Fact]
    public async Task The_REST_API_is_not_guarded_by_it()
    {
        await using var server = await LiveServer.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, server.Webhook + "mailservice.fields");
        request.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(request)).Status);
    }

    /// <summary>Every route under /_b24mail/ is in the OpenAPI document, with each of its HTTP methods.</summary>
    [Fact]
    public async Task OpenApi_describes_every_route()
    {
        await using var server = await LiveServer.StartAsync();
        var document = (await server.GetAsync(server.HttpsBase + "/_b24mail/openapi.json")).Json;
        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        var routes = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControlPlaneEndpoint>() is not null)
            .ToList();
        Assert.NotEmpty(routes);
        foreach (var route in routes)
        {
            var path = route.RoutePattern.RawText!["/_b24mail".Length..];
            if (path.Length == 0) path = "/";
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in openapi.json");
            foreach (var method in route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {path} is not in openapi.json");
            }
        }
    }
}
