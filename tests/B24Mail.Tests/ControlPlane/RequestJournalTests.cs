using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using B24Mail.Rest.Transport;
using B24Mail.Server.ControlPlane;
using B24Mail.Server.ControlPlane.Journal;
using B24Mail.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.ControlPlane;

/// <summary>The request journal: what it records, how it filters, that it stays bounded and that no secret gets into it.</summary>
public sealed class RequestJournalTests
{
    private static async Task<JsonElement> RequestsAsync(LiveServer server, string query = "")
    {
        var response = await server.GetAsync(server.HttpsBase + "/_b24mail/requests" + query);
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return response.Json.GetProperty("requests");
    }

    [Fact]
    public async Task A_call_is_recorded_with_its_method_portal_credential_params_status_and_answer()
    {
        await using var server = await LiveServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Status);
        var missing = await server.GetAsync(server.Webhook + "mailservice.get?ID=424242");
        Assert.NotEqual(HttpStatusCode.OK, missing.Status);

        var entries = await RequestsAsync(server);
        Assert.Equal(2, entries.GetArrayLength());
        var (failed, ok) = (entries[0], entries[1]);
        Assert.True(failed.GetProperty("id").GetInt64() > ok.GetProperty("id").GetInt64());
        Assert.Equal("GET", ok.GetProperty("httpMethod").GetString());
        Assert.Matches(@"^/rest/\d+/\*\*\*\*/mailservice\.get$", ok.GetProperty("path").GetString());
        Assert.Equal("mailservice.get", ok.GetProperty("method").GetString());
        Assert.Equal("default", ok.GetProperty("portal").GetString());
        Assert.Equal("webhook", ok.GetProperty("credential").GetString());
        Assert.Equal(1, ok.GetProperty("user").GetInt64());
        Assert.Equal("1", ok.GetProperty("params").GetProperty("ID").GetString());
        Assert.Equal(200, ok.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("error").ValueKind);
        Assert.True(ok.GetProperty("durationMs").GetDouble() >= 0);
        Assert.Equal("1", ok.GetProperty("response").GetProperty("result").GetProperty("ID").GetString());
        Assert.True(DateTimeOffset.Parse(ok.GetProperty("time").GetString()!) > DateTimeOffset.UtcNow.AddMinutes(-5));

        Assert.Equal((int)missing.Status, failed.GetProperty("status").GetInt32());
        Assert.Equal(missing.Error, failed.GetProperty("error").GetString());
        Assert.Equal(missing.Error, failed.GetProperty("response").GetProperty("error").GetString());
    }

    [Fact]
    public async Task Filters_select_and_bad_filters_are_refused()
    {
        await using var server = await LiveServer.StartAsync();
        await server.GetAsync(server.Webhook + "mailservice.get?ID=1");
        await server.GetAsync(server.Webhook + "mailservice.fields");
        await server.GetAsync(server.Webhook + "user.current");
        await server.GetAsync(server.Webhook + "mailservice.get?ID=424242");
        await server.PostFormAsync(server.Webhook + "batch", "cmd[a]=" + Uri.EscapeDataString("mailservice.get?ID=1") + "&cmd[b]=mailservice.fields");

        Assert.Equal(5, (await RequestsAsync(server)).GetArrayLength());
        var services = await RequestsAsync(server, "?method=mailservice.*");
        // The batch matches by its command.
        Assert.Equal(["batch", "mailservice.get", "mailservice.fields", "mailservice.get"], services.EnumerateArray().Select(e => e.GetProperty("method").GetString()));
        Assert.Equal(2, (await RequestsAsync(server, "?method=MAILSERVICE.GET&status=200")).GetArrayLength());
        var first = (await RequestsAsync(server)).EnumerateArray().Last().GetProperty("id").GetInt64();
        Assert.Equal(4, (await RequestsAsync(server, "?since=" + first)).GetArrayLength());
        Assert.Equal(1, (await RequestsAsync(server, "?limit=1")).GetArrayLength());
        Assert.Equal(0, (await RequestsAsync(server, "?portal=nope")).GetArrayLength());
        Assert.Equal(5, (await RequestsAsync(server, "?portal=default")).GetArrayLength());
        Assert.Equal(5, (await RequestsAsync(server, "?since=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O")))).GetArrayLength());
        Assert.Equal(0, (await RequestsAsync(server, "?since=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O")))).GetArrayLength());

        var batch = (await RequestsAsync(server, "?method=batch"))[0];
        var commands = batch.GetProperty("commands");
        Assert.Equal(["a", "b"], commands.EnumerateArray().Select(c => c.GetProperty("key").GetString()));
        Assert.Equal("mailservice.get", commands[0].GetProperty("method").GetString());
        Assert.Equal("1", commands[0].GetProperty("params").GetProperty("ID").GetString());
        Assert.Equal(200, commands[1].GetProperty("status").GetInt32());

        foreach (var bad in new[] { "?status=abc", "?status=999", "?since=yesterday", "?limit=0", "?limit=-3", "?colour=red", "?status=200&status=404" })
        {
            var response = await server.GetAsync(server.HttpsBase + "/_b24mail/requests" + bad);
            Assert.True(response.Status == HttpStatusCode.BadRequest, bad + ": " + response.Raw);
            Assert.Equal("application/problem+json", response.Message.Content.Headers.ContentType?.MediaType);
        }

        var cleared = await server.SendAsync(new HttpRequestMessage(HttpMethod.Delete, server.HttpsBase + "/_b24mail/requests"));
        Assert.Equal(HttpStatusCode.NoContent, cleared.Status);
        Assert.Equal(0, (await RequestsAsync(server)).GetArrayLength());
        await server.GetAsync(server.Webhook + "user.current");
        var after = await RequestsAsync(server);
        Assert.Equal(1, after.GetArrayLength());
        Assert.True(after[0].GetProperty("id").GetInt64() > first + 4);
    }

    [Fact]
    public async Task A_whole_reset_clears_it()
    {
        await using var server = await LiveServer.StartAsync();
        await server.GetAsync(server.Webhook + "user.current");
        Assert.Equal(1, (await RequestsAsync(server)).GetArrayLength());
        foreach (var reset in server.Services.GetServices<IResetWithState>()) await reset.ResetAsync(CancellationToken.None);
        Assert.Equal(0, (await RequestsAsync(server)).GetArrayLength());
    }

    [Fact]
    public async Task Size_zero_turns_it_off()
    {
        await using var server = await LiveServer.StartAsync("--journal-size", "0");
        Assert.False(server.Services.GetRequiredService<IRestRecorder>().IsOn);
        await server.GetAsync(server.Webhook + "user.current");
        foreach (var path in new[] { "/requests", "/requests/stream" })
        {
            var response = await server.GetAsync(server.HttpsBase + "/_b24mail" + path);
            Assert.Equal(HttpStatusCode.NotFound, response.Status);
            Assert.Contains("--journal-size 0", response.Raw);
        }
    }

    [Fact]
    public async Task Sixty_four_clients_with_big_bodies_keep_it_within_its_size_and_bounded_bytes()
    {
        const int size = 40;
        await using var server = await LiveServer.StartAsync("--journal-size", size.ToString());
        var big = new string('x', 200_000);
        var file = new byte[300_000];
        var calls = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async client =>
        {
            for (var i = 0; i < 3; i++)
            {
                var multipart = new MultipartFormDataContent { { new StringContent(big), "NAME" }, { new ByteArrayContent(file), "ICON", "logo.png" } };
                var sent = ((client + i) % 3) switch
                {
                    0 => await server.PostJsonAsync(server.Webhook + "mailservice.get", JsonSerializer.Serialize(new { ID = 1, NAME = big, LIST = Enumerable.Range(0, 5000).ToArray() })),
                    1 => await server.PostMultipartAsync(server.Webhook + "mailservice.get", multipart),
                    _ => await server.PostFormAsync(server.Webhook + "mailservice.get", "ID=1&NAME=" + big + string.Concat(Enumerable.Range(0, 2000).Select(n => $"&K{n}=v"))),
                };
                Assert.True(sent.Status != HttpStatusCode.InternalServerError, sent.Raw);
                Interlocked.Increment(ref calls);
            }
        }));

        var response = await server.GetAsync(server.HttpsBase + "/_b24mail/requests");
        var entries = response.Json.GetProperty("requests");
        Assert.Equal(size, entries.GetArrayLength());
        Assert.Equal(size, entries.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).Distinct().Count());
        // Each entry keeps at most its parameter budget, a cut answer and fixed fields.
        Assert.True(response.Raw.Length < size * 40_000, $"{response.Raw.Length} bytes for {size} entries");
        foreach (var entry in entries.EnumerateArray())
        {
            var name = entry.GetProperty("params").GetProperty("NAME");
            Assert.Equal(200_000, name.GetProperty("length").GetInt32());
            Assert.Equal(JournalCopy.MaxString, name.GetProperty("text").GetString()!.Length);
            if (entry.GetProperty("params").TryGetProperty("ICON", out var icon))
            {
                Assert.Equal("logo.png", icon.GetProperty("file").GetString());
                Assert.Equal(300_000, icon.GetProperty("bytes").GetInt64());
            }
        }
        Assert.Contains(entries.EnumerateArray(), e => e.GetProperty("params").TryGetProperty("…", out _));
        Assert.Equal(64 * 3, calls);
    }

    [Fact]
    public async Task A_stream_reader_that_does_not_read_loses_entries_and_they_are_counted()
    {
        await using var server = await LiveServer.StartAsync();
        var journal = server.Services.GetRequiredService<RequestJournal>();
        var stalled = journal.Subscribe();
        try
        {
            for (var i = 0; i < RequestJournal.StreamQueue + 20; i++) await server.GetAsync(server.Webhook + "user.current");
            var response = await server.GetAsync(server.HttpsBase + "/_b24mail/requests?limit=1");
            Assert.Equal(20, response.Json.GetProperty("dropped").GetInt64());
            Assert.Equal(RequestJournal.StreamQueue, stalled.Reader.Count);
            var metrics = await server.GetAsync(server.HttpsBase + "/_b24mail/metrics");
            Assert.Matches(@"(?m)^b24mail_journal_dropped(_total)?\{[^}]*\} 20( |$)", metrics.Raw);
        }
        finally
        {
            journal.Unsubscribe(stalled);
        }
    }
}
