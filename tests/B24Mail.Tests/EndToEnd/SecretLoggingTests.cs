using Microsoft.Extensions.Logging;

namespace B24Mail.Tests.EndToEnd;

/// <summary>A webhook secret or token never appears in a log, at any level.</summary>
public sealed class SecretLoggingTests
{
    [Fact]
    public async Task Secrets_and_tokens_are_not_logged()
    {
        var sink = new LogSink();
        await using var server = await LiveServer.StartAsync(LiveServer.NewDataDir(), [], configure: builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(sink);
        });
        var secret = new Uri(server.Webhook).Segments[3].TrimEnd('/');
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var tokens = await server.LoginAsync(app, 1);
        var access = tokens.GetProperty("access_token").GetString()!;

        await server.GetAsync(server.Webhook + "mailservice.list");
        await server.GetAsync(server.Webhook + "mailservice.get?ID=999999");
        await server.GetAsync(server.Webhook + "no.such.method");
        await server.PostJsonAsync(server.Webhook + "mailservice.add", "{broken");
        await server.GetAsync(server.HttpBase + new Uri(server.Webhook).AbsolutePath + "mailservice.list");
        await server.GetAsync(server.HttpsBase + "/rest/mailservice.list?auth=" + access);
        await server.TokenAsync(app, "refresh_token", "refresh_token", tokens.GetProperty("refresh_token").GetString()!);

        Assert.NotEmpty(sink.Lines);
        foreach (var line in sink.Lines)
        {
            Assert.DoesNotContain(secret, line);
            Assert.DoesNotContain(access, line);
            Assert.DoesNotContain(app.ClientSecret, line);
        }
    }
}
