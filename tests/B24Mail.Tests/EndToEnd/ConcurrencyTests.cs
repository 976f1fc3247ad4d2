using System.Net;

namespace B24Mail.Tests.EndToEnd;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Sixty_four_parallel_adds_give_distinct_ids_that_survive_a_restart()
    {
        await using var server = await TestServer.StartAsync();
        var adds = Enumerable.Range(0, 64).Select(i => server.PostJsonAsync(server.Webhook + "mailservice.add", new { NAME = $"parallel {i}", SORT = i, SERVER = $"imap{i}.example" }));
        var responses = await Task.WhenAll(adds);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var ids = responses.Select(r => r.Result.GetInt64()).ToList();
        Assert.Equal(64, ids.Distinct().Count());

        await server.RestartAsync();
        for (var i = 0; i < 64; i++)
        {
            var row = await server.GetServiceAsync(ids[i]);
            Assert.Equal($"parallel {i}", row.GetProperty("NAME").GetString());
            Assert.Equal($"imap{i}.example", row.GetProperty("SERVER").GetString());
        }
        var list = await server.GetAsync(server.Webhook + "mailservice.list");
        Assert.Equal(64 + 8, list.Result.GetArrayLength());
    }

    [Fact]
    public async Task A_restart_reuses_the_portal_webhook_and_certificate()
    {
        await using var server = await TestServer.StartAsync();
        var webhook = server.Webhook;
        var thumbprint = server.Certificate.Thumbprint;
        await server.RestartAsync();
        Assert.Equal(new Uri(webhook).AbsolutePath, new Uri(server.Webhook).AbsolutePath);
        Assert.Equal(thumbprint, server.Certificate.Thumbprint);
        Assert.Equal(8, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetArrayLength());
    }
}
