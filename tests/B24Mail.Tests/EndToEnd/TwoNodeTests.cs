using System.Net;
using B24Mail.Storage;
using B24Mail.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// Two server nodes on one PostgreSQL database, each with its own data folder and port, started at the
/// same moment: what one node writes or spends, the other sees at once.
/// </summary>
public sealed class TwoNodeTests
{
    private static Task<(LiveServer A, LiveServer B)> StartPairAsync(params string[] args) => TwoNodes.StartAsync(args);

    private static string On(LiveServer node, string url) => node.HttpsBase + new Uri(url).PathAndQuery;

    [Fact]
    public async Task What_one_node_writes_the_other_reads_at_once()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        // Both started together on an empty database: one portal, one set of presets.
        Assert.Equal(8, (await b.GetAsync(b.Webhook + "mailservice.list")).Result.GetArrayLength());

        var id = await a.AddServiceAsync(new { NAME = "from A", ICON = new[] { "a.png", Convert.ToBase64String(Images.Png()) } });
        var row = await b.GetServiceAsync(id);
        Assert.Equal("from A", row.GetProperty("NAME").GetString());
        // Icons live in the database, so either node serves them.
        var icon = new Uri(row.GetProperty("ICON").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await a.Client.GetAsync(On(a, icon.ToString()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.Client.GetAsync(On(b, icon.ToString()))).StatusCode);

        await b.PostJsonAsync(b.Webhook + "mailservice.update", new { ID = id, NAME = "changed on B" });
        Assert.Equal("changed on B", (await a.GetServiceAsync(id)).GetProperty("NAME").GetString());
        await a.PostJsonAsync(a.Webhook + "mailservice.delete", new { ID = id });
        MailServiceMethodTests.AssertCoreError(await b.GetAsync(b.Webhook + "mailservice.get?ID=" + id), "Mail service not found");
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.GetAsync(On(b, icon.ToString()))).StatusCode);
    }

    [Fact]
    public async Task Once_both_nodes_vouch_for_their_counts_each_reads_the_others_writes_at_once()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        var id = await a.AddServiceAsync(new { NAME = "v0" });
        // Settled nodes answer cached reads without reading the change count (see ChangeFeed).
        var nodes = new[] { a, b }.Select(node => (PostgresDatabase)node.Services.GetRequiredService<IDatabase>()).ToArray();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!nodes.All(node => node.Vouching))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the nodes did not settle");
            await b.GetServiceAsync(id);
            await Task.Delay(50);
        }
        var reads = nodes.Select(node => node.CounterReads).ToArray();
        // Over HTTP the other node has usually taken the notice in before the client's next request arrives, so a
        // write that did not wait for its answer passes here too; Storage/ChangeFeedTests reads at once and catches that.
        for (var i = 1; i <= 20; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (a, b) : (b, a);
            // The reader has the row and the list cached before the write.
            Assert.Equal($"v{i - 1}", (await reader.GetServiceAsync(id)).GetProperty("NAME").GetString());
            await reader.GetAsync(reader.Webhook + "mailservice.list");
            Assert.Equal(HttpStatusCode.OK, (await writer.PostJsonAsync(writer.Webhook + "mailservice.update", new { ID = id, NAME = $"v{i}" })).Status);
            Assert.Equal($"v{i}", (await reader.GetServiceAsync(id)).GetProperty("NAME").GetString());
            var list = (await reader.GetAsync(reader.Webhook + "mailservice.list")).Result.EnumerateArray();
            Assert.Contains(list, row => row.GetProperty("NAME").GetString() == $"v{i}");
        }
        Assert.Equal(reads, nodes.Select(node => node.CounterReads).ToArray());
    }

    [Fact]
    public async Task A_command_run_beside_settled_nodes_is_seen_by_both_at_their_next_request()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        var (code, user, error) = await CommandTests.RunAsync("user", "add", "--name", "Bob", "--data", a.DataDir);
        Assert.True(code == 0, error);
        (code, var url, error) = await CommandTests.RunAsync("webhook", "add", "--user", user.Trim(), "--scope", "mailservice", "--data", a.DataDir, "--urls", a.HttpsBase);
        Assert.True(code == 0, error);
        var hook = new Uri(url.Trim()).PathAndQuery;
        var nodes = new[] { a, b }.Select(node => (PostgresDatabase)node.Services.GetRequiredService<IDatabase>()).ToArray();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!nodes.All(node => node.Vouching))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the nodes did not settle");
            await Task.Delay(50);
        }
        // Each node has the user's credentials cached, without the administrator right.
        foreach (var node in new[] { a, b })
        {
            MailServiceMethodTests.AssertCoreError(await node.PostJsonAsync(node.HttpsBase + hook + "mailservice.add", new { NAME = "denied" }), "Access denied");
        }
        // A separate process, a node of its own for its life: its write is acknowledged once both servers took it in.
        (code, var admin, error) = await CommandTests.RunAsync("user", "admin", "--user", user.Trim(), "--data", b.DataDir);
        Assert.Equal(user.Trim(), admin.Trim());
        Assert.True(code == 0, error);
        foreach (var node in new[] { a, b })
        {
            Assert.Equal(HttpStatusCode.OK, (await node.PostJsonAsync(node.HttpsBase + hook + "mailservice.add", new { NAME = "allowed" })).Status);
        }
        Assert.True(nodes.All(node => node.Vouching));
    }

    [Fact]
    public async Task Parallel_adds_on_both_nodes_get_distinct_ids()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        var adds = Enumerable.Range(0, 64).Select(i => i % 2 == 0
            ? a.PostJsonAsync(a.Webhook + "mailservice.add", new { NAME = "A" + i })
            : b.PostJsonAsync(b.Webhook + "mailservice.add", new { NAME = "B" + i }));
        var responses = await Task.WhenAll(adds);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(64, responses.Select(r => r.Result.GetInt64()).Distinct().Count());
        Assert.Equal(72, (await a.GetAsync(a.Webhook + "mailservice.list")).Result.GetArrayLength());
    }

    [Fact]
    public async Task The_rate_limit_holds_across_both_nodes_together()
    {
        var (a, b) = await StartPairAsync("--rate-limit", "true", "--rate-limit-burst", "10", "--rate-limit-per-second", "0.001");
        await using var _ = a;
        await using var __ = b;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            var node = i % 2 == 0 ? a : b;
            statuses.Add((await node.GetAsync(node.Webhook + "mailservice.fields")).Status);
        }
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        // In parallel as well: the bucket is empty on both.
        var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).GetAsync((i % 2 == 0 ? a : b).Webhook + "mailservice.fields")));
        Assert.All(burst, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status));
    }

    [Fact]
    public async Task With_the_operating_limit_on_a_method_used_up_on_one_node_is_refused_on_the_other()
    {
        var (a, b) = await StartPairAsync("--operating-limit", "0.000001");
        await using var _ = a;
        await using var __ = b;
        var hook = a.Webhook;
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(hook + "mailservice.get?ID=1")).Status);
        // Node B has never run this method: only baskets shared through the database can refuse it.
        var refused = await b.GetAsync(On(b, hook) + "mailservice.get?ID=1");
        Assert.Equal((HttpStatusCode)429, refused.Status);
        Assert.Equal("OPERATION_TIME_LIMIT", refused.Error);
    }

    [Fact]
    public async Task A_token_from_one_node_works_on_the_other_and_a_refresh_there_spends_it_here()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        var app = await a.AddAppAsync(await a.PortalAsync(), "mailservice");
        var first = await a.LoginAsync(app, 1);
        var access = first.GetProperty("access_token").GetString()!;
        var refresh = first.GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync(b.HttpsBase + "/rest/mailservice.list?auth=" + access)).Status);

        var rotated = await b.TokenAsync(app, "refresh_token", "refresh_token", refresh);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        OAuthTests.AssertOAuthError(await a.TokenAsync(app, "refresh_token", "refresh_token", refresh), HttpStatusCode.BadRequest, "invalid_grant");
        var newAccess = rotated.Json.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(a.HttpsBase + "/rest/mailservice.list?auth=" + newAccess)).Status);

        // A code made on one node is spent on the other.
        var redirect = await a.ApproveAsync(app, 1);
        Assert.Equal(HttpStatusCode.OK, (await b.TokenAsync(app, "authorization_code", "code", redirect["code"])).Status);
        OAuthTests.AssertOAuthError(await a.TokenAsync(app, "authorization_code", "code", redirect["code"]), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_webhook_made_by_a_command_on_one_node_is_checked_on_both()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        var (code, output, error) = await CommandTests.RunAsync("webhook", "add", "--user", "1", "--scope", "mailservice", "--data", a.DataDir, "--url", a.HttpsBase);
        Assert.True(code == 0, error);
        var hook = output.Trim();
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync(On(b, hook) + "mailservice.fields")).Status);
        var listed = await CommandTests.RunAsync("webhook", "list", "--data", b.DataDir);
        var lastId = listed.Out.Trim().Split('\n').Last().Split('\t')[0];
        (code, output, error) = await CommandTests.RunAsync("webhook", "deactivate", "--id", lastId, "--data", b.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal("INVALID_CREDENTIALS", (await a.GetAsync(hook + "mailservice.fields")).Error);
        Assert.Equal("INVALID_CREDENTIALS", (await b.GetAsync(On(b, hook) + "mailservice.fields")).Error);
    }
}
