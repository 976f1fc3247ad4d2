using System.Net;
using System.Text.Json;
using B24Mail.Testing;

namespace B24Mail.Testing.Sample;

/// <summary>
/// A server of its own with a manual clock: time stands still until the test moves it, so a token's expiry is
/// reached in no time and exactly.
/// </summary>
public sealed class TokenRefreshTests : IAsyncLifetime
{
    private B24MailServer _portal = null!;

    public async ValueTask InitializeAsync() => _portal = await B24MailServer.StartAsync(new B24MailServerOptions { ManualClock = true }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task An_expired_access_token_is_refreshed_at_the_token_endpoint()
    {
        var cancel = TestContext.Current.CancellationToken;
        var app = await _portal.Control.AddAppAsync("Demo", ["mailservice"], cancellationToken: cancel);
        var tokens = await _portal.Control.IssueTokenAsync(app.ClientId, user: 1, cancellationToken: cancel);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(tokens.AccessToken)).Status);

        await _portal.Control.AdvanceClockAsync(TimeSpan.FromSeconds(tokens.ExpiresIn + 1), cancel);
        var expired = await CallAsync(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("expired_token", expired.Json.GetProperty("error").GetString());

        // The refresh as an SDK sends it, to the real token endpoint.
        using var refresh = await _portal.Client.PostAsync("/oauth/token/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = app.ClientId,
            ["client_secret"] = app.ClientSecret,
            ["refresh_token"] = tokens.RefreshToken,
        }), cancel);
        refresh.EnsureSuccessStatusCode();
        var fresh = JsonDocument.Parse(await refresh.Content.ReadAsStringAsync(cancel)).RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(fresh)).Status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> CallAsync(string accessToken)
    {
        using var response = await _portal.Client.GetAsync("/rest/mailservice.list?auth=" + accessToken, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement);
    }
}
