using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using B24Mail.Rest.Identity;
using B24Mail.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.ControlPlane;

/// <summary>POST /_b24mail/reset and /_b24mail/portals/{code}/reset: back to the baseline, whole or one portal, never half.</summary>
public sealed class ResetTests
{
    [Fact]
    public async Task A_reset_returns_every_portal_to_the_first_start()
    {
        await using var server = await LiveServer.StartAsync();
        var baseline = await server.ExportAsync();
        var identity = server.Services.GetRequiredService<IIdentityStore>();
        var portal = await server.PortalAsync();
        // Changes of every kind.
        await server.AddServiceAsync(new { NAME = "added", ICON = Convert.ToBase64String(Images.Png()) });
        await server.PostJsonAsync(server.Webhook + "mailservice.update", new { ID = 1, NAME = "renamed" });
        await server.PostJsonAsync(server.Webhook + "mailservice.delete", new { ID = 2 });
        var user = await server.AddUserAsync(admin: true, "Added");
        var hook = await server.AddWebhookAsync(user, "mailservice");
        var app = await server.AddAppAsync(portal, "mailservice");
        var login = await server.LoginAsync(app, 1);
        var tokenCall = server.HttpsBase + "/rest/mailservice.list?auth=" + login.GetProperty("access_token").GetString();
        await identity.SetPortalLicenseAsync(portal.Id, "ent500", "fr");
        await identity.SetPortalRateLimitAsync(portal.Id, new B24Mail.Rest.Limits.RateLimit(false, 0, 0));
        await server.PortalAsync("later", "later.test");
        Assert.NotEqual(baseline, await server.ExportAsync());

        var response = await server.ResetAsync();
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(["default"], response.Json.GetProperty("reset").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["later"], response.Json.GetProperty("removed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(baseline, await server.ExportAsync());
        // The bootstrap webhook works as before; what came later does not.
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync(hook + "mailservice.list")).Status);
        Assert.Equal("invalid_token", (await server.GetAsync(tokenCall)).Error);
        Assert.Null(await identity.FindPortalAsync("later"));
        Assert.Equal(portal.Id, (await identity.FindPortalAsync("default"))!.Id);
        // IDs given after a reset are those given after the first start.
        Assert.Equal(9, await server.AddServiceAsync(new { NAME = "again" }));
        Assert.Equal(2, (await identity.AddUserAsync(portal.Id, "again", "", "", false)).Id);
        // The logo file of the removed service is gone from the disk too.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDir, "portals"), "*", SearchOption.AllDirectories));
    }

    private sealed class CountingReset : B24Mail.Server.ControlPlane.IResetWithState
    {
        public int Calls;

        public Task ResetAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.CompletedTask;
        }
    }

    /// <summary>What keeps state of its own (the journal, fault rules) is cleared by a whole reset, also of a server with no portals, and not by a portal's.</summary>
    [Fact]
    public async Task A_whole_reset_clears_every_feature_that_keeps_state()
    {
        var counting = new CountingReset();
        await using var server = await LiveServer.StartAsync(LiveServer.NewDataDir(), [], configure: builder => builder.Services.AddSingleton<B24Mail.Server.ControlPlane.IResetWithState>(counting));
        await server.ResetOkAsync("default");
        Assert.Equal(0, counting.Calls);
        await server.ResetOkAsync();
        Assert.Equal(1, counting.Calls);
        await server.ImportOkAsync(StateKit.Parse("{\"version\": 1, \"portals\": []}"));
        Assert.Equal(1, counting.Calls);
        await server.ResetOkAsync();
        Assert.Equal(2, counting.Calls);
    }

    [Fact]
    public async Task A_reset_empties_the_rate_limit_buckets()
    {
        await using var server = await LiveServer.StartAsync("--rate-limit", "true", "--rate-limit-burst", "3", "--rate-limit-per-second", "0.001");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal("QUERY_LIMIT_EXCEEDED", (await server.GetAsync(server.Webhook + "mailservice.fields")).Error);
        await server.ResetOkAsync("default");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal("QUERY_LIMIT_EXCEEDED", (await server.GetAsync(server.Webhook + "mailservice.fields")).Error);
        await server.ResetOkAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
    }

    [Fact]
    public async Task A_portal_reset_touches_that_portal_only()
    {
        await using var server = await LiveServer.StartAsync();
        var document = StateKit.Parse(await server.ExportAsync());
        var acme = StateKit.Sample()["portals"]![0]!.DeepClone();
        document["portals"]!.AsArray().Add(acme);
        var baseline = StateKit.Parse(await server.ImportOkAsync(document));
        var acmeHook = server.HttpsBase + "/rest/1/acmesecret000001/";
        await server.AddServiceAsync(new { NAME = "default's own" });
        await server.PostJsonAsync(acmeHook + "mailservice.delete", new { ID = 100 });

        var response = await server.ResetAsync("acme");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(["acme"], response.Json.GetProperty("reset").EnumerateArray().Select(e => e.GetString()));
        var now = StateKit.Parse(await server.ExportAsync());
        Assert.Equal(baseline["portals"]![1]!.ToJsonString(), now["portals"]![1]!.ToJsonString());
        Assert.NotEqual(baseline["portals"]![0]!.ToJsonString(), now["portals"]![0]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(acmeHook + "mailservice.get?ID=100")).Status);
        // A service added to another portal keeps its ID; the next one follows it, not the reset portal's.
        var next = await server.AddServiceAsync(new { NAME = "next" });
        Assert.Equal(207, next);

        Assert.Equal(HttpStatusCode.NotFound, (await server.ResetAsync("nowhere")).Status);
        await server.PortalAsync("later", "later.test");
        var later = await server.ResetAsync("later");
        Assert.Equal(HttpStatusCode.Conflict, later.Status);
        Assert.Contains("after the baseline", later.Json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_posted_state_becomes_the_baseline()
    {
        await using var server = await LiveServer.StartAsync();
        var posted = await server.ImportOkAsync(StateKit.Sample());
        await server.PostJsonAsync(server.HttpsBase + "/rest/1/acmesecret000001/mailservice.add", new { NAME = "later" });
        await server.ResetOkAsync();
        Assert.Equal(posted, await server.ExportAsync());
        await server.RestartAsync();
        await server.PostJsonAsync(server.HttpsBase + "/rest/1/acmesecret000001/mailservice.update", new { ID = 100, NAME = "changed" });
        await server.ResetOkAsync("acme");
        Assert.Equal(posted, await server.ExportAsync());
    }

    /// <summary>
    /// Two nodes on one PostgreSQL database, started together: each prints its own bootstrap webhook, and a reset
    /// made through one node returns both to the baseline with both webhooks still working.
    /// </summary>
    [Fact]
    public async Task A_reset_through_one_node_holds_for_both_and_keeps_each_nodes_webhook()
    {
        var (a, b) = await TwoNodes.StartAsync();
        await using var _ = a;
        await using var __ = b;
        Assert.NotEqual(new Uri(a.Webhook).AbsolutePath, new Uri(b.Webhook).AbsolutePath);
        var baseline = await a.ExportAsync();
        Assert.Equal(baseline, await b.ExportAsync());
        var added = await b.AddServiceAsync(new { NAME = "through B", ICON = Convert.ToBase64String(Images.Png()) });

        await a.ResetOkAsync();
        Assert.Equal(baseline, await b.ExportAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await b.GetAsync(b.Webhook + $"mailservice.get?ID={added}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(a.Webhook + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync(b.Webhook + "mailservice.list")).Status);
        Assert.Equal(added, await a.AddServiceAsync(new { NAME = "the same ID again" }));
    }

    /// <summary>
    /// Readers list all the while a writer deletes services one at a time, in ID order, and resets. Any state a
    /// client can see is then the baseline less a prefix of its IDs: a half-applied reset (no rows yet, or the
    /// first rows only) would show up as an error, an empty list or IDs that do not run to the last.
    /// </summary>
    [Fact]
    public async Task Readers_during_resets_see_the_old_state_or_the_new_never_a_mixture()
    {
        await using var server = await LiveServer.StartAsync();
        const int Count = 120;
        var document = StateKit.Parse(await server.ExportAsync());
        var services = new JsonArray();
        for (var i = 1; i <= Count; i++) services.Add(new JsonObject { ["id"] = i, ["name"] = $"service {i:D3}", ["sort"] = i });
        document["portals"]![0]!["mailServices"] = services;
        await server.ImportOkAsync(document);

        using var stop = new CancellationTokenSource();
        var problems = new ConcurrentQueue<string>();
        var seen = 0;
        async Task ReadAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var list = await server.GetAsync(server.Webhook + "mailservice.list");
                if (list.Status != HttpStatusCode.OK)
                {
                    problems.Enqueue($"{list.Status}: {list.Raw}");
                    continue;
                }
                var ids = list.Result.EnumerateArray().Select(s => int.Parse(s.GetProperty("ID").GetString()!)).ToList();
                if (ids.Count == 0 || ids[^1] != Count || ids.Count != ids[^1] - ids[0] + 1 || ids.Zip(ids.Skip(1)).Any(p => p.Second != p.First + 1))
                {
                    problems.Enqueue($"a mixture: {ids.Count} services, {ids.FirstOrDefault()}..{ids.LastOrDefault()}");
                }
                Interlocked.Increment(ref seen);
            }
        }
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(ReadAsync)).ToList();
        for (var round = 0; round < 4; round++)
        {
            for (var id = 1; id <= 30; id++) await server.PostJsonAsync(server.Webhook + "mailservice.delete", new { ID = id });
            var reset = round % 2 == 0 ? await server.ResetAsync() : await server.ResetAsync("default");
            Assert.Equal(HttpStatusCode.OK, reset.Status);
        }
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Empty(problems);
        Assert.True(seen > 20, $"only {seen} lists were read");
        Assert.Equal(Count, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetArrayLength());
    }
}
