using System.Net;
using System.Text.Json;
using B24Mail.Rest.Identity;
using B24Mail.Rest.OAuth;
using B24Mail.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

public sealed record TestApp(OAuthApp App, string ClientSecret);

/// <summary>OAuth helpers: apps made through the real stores, codes and tokens through the real endpoints.</summary>
public static class OAuthTestKit
{
    public static async Task<Portal> PortalAsync(this LiveServer server, string code = Provisioning.DefaultPortal, string? domain = null)
    {
        var provisioning = server.Services.GetRequiredService<Provisioning>();
        return await provisioning.EnsurePortalAsync(code, domain ?? code + ".test");
    }

    /// <summary>Installs an app as <c>app add</c> does, through the server's own <see cref="OAuthServer"/>.</summary>
    public static async Task<TestApp> AddAppAsync(this LiveServer server, Portal portal, params string[] scopes)
    {
        var installed = await server.Services.GetRequiredService<OAuthServer>().InstallAsync(portal, "Test App", scopes, "https://app.example/callback?x=1");
        return new TestApp(installed.App, installed.ClientSecret);
    }

    /// <summary>Approves through the non-interactive path and returns the redirect's query.</summary>
    public static async Task<Dictionary<string, string>> ApproveAsync(this LiveServer server, TestApp app, long userId, string state = "st4te")
    {
        using var client = NoRedirectClient(server);
        var response = await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&state={Uri.EscapeDataString(state)}&user_id={userId}&approve=Y");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith("https://app.example/callback?x=1&", location.ToString());
        // The registered redirect URI keeps its own query (x=1); ours follows it.
        return location.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] != "x").ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
    }

    public static async Task<RestResponse> TokenAsync(this LiveServer server, TestApp app, string grantType, string name, string value, string? secret = null) =>
        await server.PostFormAsync(server.HttpsBase + "/oauth/token/",
            $"grant_type={grantType}&client_id={app.App.ClientId}&client_secret={Uri.EscapeDataString(secret ?? app.ClientSecret)}&{name}={Uri.EscapeDataString(value)}");

    /// <summary>Consent plus code exchange: the token response as JSON.</summary>
    public static async Task<JsonElement> LoginAsync(this LiveServer server, TestApp app, long userId)
    {
        var redirect = await server.ApproveAsync(app, userId);
        var response = await server.TokenAsync(app, "authorization_code", "code", redirect["code"]);
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return response.Json;
    }

    public static HttpClient NoRedirectClient(LiveServer server)
    {
        var thumbprint = server.Certificate.Thumbprint;
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == thumbprint });
    }
}
