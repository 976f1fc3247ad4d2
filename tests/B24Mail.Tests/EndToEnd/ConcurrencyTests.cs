using System.Net;

namespace B24Mail.Tests.EndToEnd;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Sixty_four_parallel_adds_give_distinct_ids_that_survive_a_restart()
    {
        await using var server = await LiveServer.StartAsync();
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
    public async Task Writes_by_another_connection_are_seen_at_once_by_cached_reads()
    {
        // The read cache is SQLite's; PostgreSQL reads are not cached.
        if (LiveServer.OnPostgres) Assert.Skip("SQLite's read cache only.");
        await using var server = await LiveServer.StartAsync();
        // Read twice so the row, the list and the webhook are in the server's read caches.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("gmail", (await server.GetServiceAsync(1)).GetProperty("NAME").GetString());
            Assert.Equal(8, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetArrayLength());
        }
        // Another writer, as a command-line tool in another process would be.
        using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataDir, "b24mail.db")};Pooling=False"))
        {
            other.Open();
            using var update = other.CreateCommand();
            update.CommandText = "PRAGMA busy_timeout=10000; UPDATE mail_services SET name = 'changed elsewhere' WHERE id = 1; UPDATE mail_services SET active = 0 WHERE id = 2; UPDATE webhooks SET active = 0;";
            update.ExecuteNonQuery();
        }
        var hook = await server.AddWebhookAsync(1, "mailservice");
        Assert.Equal("changed elsewhere", (await server.PostJsonAsync(hook + "mailservice.get", new { ID = 1 })).Result.GetProperty("NAME").GetString());
        Assert.Equal(7, (await server.GetAsync(hook + "mailservice.list")).Result.GetArrayLength());
        Assert.Equal("INVALID_CREDENTIALS", (await server.GetAsync(server.Webhook + "mailservice.list")).Error);
    }

    [Fact]
    public async Task A_restart_reuses_the_portal_webhook_and_certificate()
    {
        await using var server = await LiveServer.StartAsync();
        var webhook = server.Webhook;
        var thumbprint = server.Certificate.Thumbprint;
        await server.RestartAsync();
        Assert.Equal(new Uri(webhook).AbsolutePath, new Uri(server.Webhook).AbsolutePath);
        Assert.Equal(thumbprint, server.Certificate.Thumbprint);
        Assert.Equal(8, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetArrayLength());
    }
}
