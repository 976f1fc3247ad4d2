using System.Net;
using System.Net.Http.Headers;
using System.Text;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary>
/// No secret ever reaches the journal: every credential kind, in every place a client can put it, is sent, and
/// then the raw JSON of <c>/requests</c> and of the event stream is searched for each secret string.
/// </summary>
public sealed class JournalSecretTests
{
    [Fact]
    public async Task No_secret_appears_in_the_journal_or_its_stream()
    {
        await using var server = await LiveServer.StartAsync();
        var stream = await SseReader.OpenAsync(server);

        var secrets = new List<string>();
        var webhookSecret = new Uri(server.Webhook).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[2];
        secrets.Add(webhookSecret);
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice", "user");
        secrets.Add(app.ClientSecret);

        var redirect = await server.ApproveAsync(app, 1);
        secrets.Add(redirect["code"]);
        var login = await server.TokenAsync(app, "authorization_code", "code", redirect["code"]);
        Assert.Equal(HttpStatusCode.OK, login.Status);
        var access = login.Json.GetProperty("access_token").GetString()!;
        var refresh = login.Json.GetProperty("refresh_token").GetString()!;
        secrets.AddRange([access, refresh]);
        // A refresh over a JSON body; the new tokens in its answer are secrets too.
        var refreshed = await server.PostJsonAsync(server.HttpsBase + "/oauth/token/",
            $$"""{"grant_type":"refresh_token","client_id":"{{app.App.ClientId}}","client_secret":"{{app.ClientSecret}}","refresh_token":"{{refresh}}"}""");
        Assert.True(refreshed.Status == HttpStatusCode.OK, refreshed.Raw);
        var access2 = refreshed.Json.GetProperty("access_token").GetString()!;
        secrets.AddRange([access2, refreshed.Json.GetProperty("refresh_token").GetString()!]);
        // A refresh by GET, with the secrets in the query.
        await server.GetAsync($"{server.HttpsBase}/oauth/token/?grant_type=refresh_token&client_id={app.App.ClientId}&client_secret={app.ClientSecret}&refresh_token={refresh}");
        const string password = "pw-Zq8x1Lm0Secret";
        secrets.Add(password);

        var calls = new List<Func<Task<RestResponse>>>
        {
            () => server.GetAsync(server.Webhook + "mailservice.get?ID=1"),
            () => server.GetAsync(server.Webhook.Replace("/rest/", "/rest//") + "user.current.json"),
            // Malformed webhook paths: no method, and one segment too many.
            () => server.GetAsync($"{server.HttpsBase}/rest/1/{webhookSecret}"),
            () => server.GetAsync($"{server.HttpsBase}/rest/1/{webhookSecret}/x/mailservice.get"),
            () => server.GetAsync(server.HttpsBase + "/rest/mailservice.get?ID=1&auth=" + access2),
            () => server.GetAsync(server.HttpsBase + "/rest/mailservice.get?ID=1&access_token=" + access2),
            () => server.PostJsonAsync(server.HttpsBase + "/rest/mailservice.get", $$$"""{"ID":1,"auth":"{{{access2}}}","Access_Token":"{{{access2}}}","deep":{"list":[{"PassWord":"{{{password}}}"}]}}"""),
            () => server.PostFormAsync(server.HttpsBase + "/rest/mailservice.get", $"ID=1&auth={access2}&AUTH={access2}&x[REFRESH_TOKEN]={refresh}&Client_Secret={app.ClientSecret}&code={redirect["code"]}"),
            () =>
            {
                var bearer = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/rest/user.current");
                bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access2);
                return server.SendAsync(bearer);
            },
            () => server.PostMultipartAsync(server.HttpsBase + "/rest/mailservice.get", new MultipartFormDataContent
            {
                { new StringContent(access2), "auth" },
                { new StringContent("1"), "ID" },
                { new StringContent(password), "fields[password]" },
                { new ByteArrayContent(Encoding.ASCII.GetBytes("file mentions " + access2)), "ICON", "logo.png" },
            }),
            // Batch commands carry their own query strings: plain, odd case, and a name PHP decodes (a%75th is auth).
            () => server.PostFormAsync(server.Webhook + "batch",
                "cmd[a]=" + Uri.EscapeDataString($"mailservice.get?ID=1&auth={access2}") +
                "&cmd[b]=" + Uri.EscapeDataString($"user.current?ACCESS_TOKEN={access2}&password={password}") +
                "&cmd[c]=" + Uri.EscapeDataString($"user.current?a%75th={access2}&x.y=1") +
                "&cmd[d]=" + Uri.EscapeDataString($"user.current?client_secret[0]={app.ClientSecret}")),
            () => server.PostJsonAsync(server.HttpsBase + "/rest/batch", $$$"""{"auth":"{{{access2}}}","cmd":{"a":"mailservice.get?ID=1&auth={{{access2}}}"}}"""),
            () => server.GetAsync($"{server.HttpsBase}/oauth/rest/app.info?auth={access2}"),
        };
        foreach (var call in calls) Assert.NotEqual(HttpStatusCode.InternalServerError, (await call()).Status);
        var recorded = 4 + calls.Count;

        var journal = await server.GetAsync(server.HttpsBase + "/_b24mail/requests");
        Assert.Equal(HttpStatusCode.OK, journal.Status);
        var events = await stream.ReadAsync(recorded);
        Assert.True(events.Split("event: request").Length - 1 >= recorded, events);
        foreach (var secret in secrets)
        {
            Assert.True(secret.Length >= 8, secret);
            Assert.DoesNotContain(secret, journal.Raw);
            Assert.DoesNotContain(secret, events);
        }
        // The calls are there, masked rather than dropped.
        Assert.Contains("\"/oauth/token/\"", journal.Raw);
        Assert.Contains("\"client_secret\":\"****\"", journal.Raw);
        Assert.Contains("\"refresh_token\":\"****\"", journal.Raw);
        Assert.Contains("\"access_token\":\"****\"", journal.Raw);
        Assert.Contains("auth=****", journal.Raw);
        Assert.Contains("a%75th=****", journal.Raw);
        Assert.Contains("\"PassWord\":\"****\"", journal.Raw);
        Assert.Contains("\"credential\":\"oauth\"", journal.Raw);
        Assert.Contains("\"file\":\"logo.png\"", journal.Raw);
        await stream.DisposeAsync();
    }
}

/// <summary>A real Server-Sent Events client on /_b24mail/requests/stream, collecting the raw text it receives.</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly StringBuilder _text = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;

    public static async Task<SseReader> OpenAsync(LiveServer server)
    {
        var reader = new SseReader();
        var response = await server.Client.GetAsync(server.HttpsBase + "/_b24mail/requests/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStreamAsync();
        reader._reading = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, reader._stop.Token)) > 0)
                {
                    lock (reader._text) reader._text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                response.Dispose();
            }
        });
        // The stream opens with a comment; once it is here, the server has subscribed.
        await reader.WaitForAsync(text => text.StartsWith(": "));
        return reader;
    }

    public async Task<string> ReadAsync(int events)
    {
        await WaitForAsync(text => text.Split("event: request").Length - 1 >= events);
        lock (_text) return _text.ToString();
    }

    private async Task WaitForAsync(Func<string, bool> done)
    {
        for (var waited = 0; waited < 200; waited++)
        {
            lock (_text)
            {
                if (done(_text.ToString())) return;
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _reading;
    }
}
