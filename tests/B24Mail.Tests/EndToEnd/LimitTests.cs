using System.Net;
using System.Net.Sockets;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Limits;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>The leaky bucket (docs/decisions.md #20) and the operating limit (docs/decisions.md #21), on an injected clock.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task The_rate_limit_agrees_with_the_reference_model_request_by_request()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await LiveServer.StartAsync(clock, "--rate-limit", "true", "--rate-limit-burst", "5", "--rate-limit-per-second", "2");
        var model = new ReferenceBucket(5, 2);
        var random = new Random(20261124);
        var now = 0m;
        var (allowed, refused) = (0, 0);
        // Bursts, exact refills to the boundary (0.5 s = one request at Y=2), and quiet spells.
        var steps = new List<decimal>();
        steps.AddRange(Enumerable.Repeat(0m, 8));
        steps.AddRange([0.5m, 0m, 0.5m, 0.5m, 0m, 0m, 0.25m, 0.25m, 0m, 2.5m, 0m, 0m, 0m, 0m, 0m, 0m]);
        for (var i = 0; i < 150; i++) steps.Add(random.Next(0, 5) switch { 0 => 0m, 1 => 0.25m, 2 => 0.5m, 3 => 0.125m, _ => random.Next(0, 8) * 0.375m });
        foreach (var step in steps)
        {
            clock.Advance(TimeSpan.FromTicks((long)(step * TimeSpan.TicksPerSecond)));
            now += step;
            var expected = model.Offer(now);
            var response = await server.GetAsync(server.Webhook + "mailservice.fields");
            if (expected)
            {
                Assert.True(response.Status == HttpStatusCode.OK, $"t={now}: {response.Raw}");
                allowed++;
            }
            else
            {
                Assert.True(response.Status == HttpStatusCode.ServiceUnavailable, $"t={now}: expected 503, got {response.Status}");
                Assert.Equal("QUERY_LIMIT_EXCEEDED", response.Error);
                Assert.Equal("Too many requests", response.ErrorDescription);
                refused++;
            }
        }
        Assert.True(allowed > 20 && refused > 20, $"{allowed} allowed, {refused} refused: the sequence must exercise both");
    }

    [Fact]
    public async Task The_default_is_fifty_requests_then_two_per_second()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock, "--rate-limit", "true");
        for (var i = 0; i < 50; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
    }

    [Fact]
    public async Task A_batch_counts_once_and_a_refused_request_is_not_executed()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock, "--rate-limit", "true", "--rate-limit-burst", "3", "--rate-limit-per-second", "1");
        var commands = Enumerable.Range(0, 40).ToDictionary(i => "c" + i, _ => "mailservice.fields");
        for (var i = 0; i < 3; i++)
        {
            var batch = await server.PostJsonAsync(server.Webhook + "batch", new { cmd = commands });
            Assert.Equal(HttpStatusCode.OK, batch.Status);
            Assert.Equal(40, batch.Result.GetProperty("result").EnumerateObject().Count());
        }
        var refused = await server.PostJsonAsync(server.Webhook + "mailservice.add", new { NAME = "must not exist" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        var list = await server.GetAsync(server.Webhook + "mailservice.list");
        Assert.DoesNotContain(list.Result.EnumerateArray(), r => r.GetProperty("NAME").GetString() == "must not exist");
    }

    [Fact]
    public async Task Buckets_are_per_portal_and_client_ip_and_portals_may_set_their_own()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock, "--rate-limit", "true", "--rate-limit-burst", "2", "--rate-limit-per-second", "1");
        var portalB = await server.PortalAsync("team-b", "team-b.test");
        var hookB = server.HttpsBase + (await server.Services.GetRequiredService<B24Mail.Server.Hosting.Provisioning>().AddWebhookAsync(portalB, 1, ["mailservice"], "b")).Path;
        using var otherIp = ClientFrom(server, IPAddress.Parse("127.0.0.2"));

        for (var i = 0; i < 2; i++) await server.GetAsync(server.Webhook + "mailservice.fields");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        // Another portal, and the same portal from another address, have buckets of their own.
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hookB + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.OK, (await otherIp.GetAsync(server.Webhook + "mailservice.fields")).StatusCode);

        var identity = server.Services.GetRequiredService<IIdentityStore>();
        await identity.SetPortalRateLimitAsync(portalB.Id, new RateLimit(true, 5, 1));
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hookB + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.GetAsync(hookB + "mailservice.fields")).Status);

        await identity.SetPortalRateLimitAsync(portalB.Id, new RateLimit(false, 0, 0));
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hookB + "mailservice.fields")).Status);
    }

    [Fact]
    public async Task The_portal_limit_command_sets_a_portals_own_bucket()
    {
        await using var server = await LiveServer.StartAsync("--rate-limit", "true");
        var (code, output, error) = await CommandTests.RunAsync("portal", "limit", "--code", "default", "--burst", "1", "--per-second", "0.001", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal("default", output.Trim());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        (code, _, error) = await CommandTests.RunAsync("portal", "limit", "--code", "default", "--off", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        (code, output, _) = await CommandTests.RunAsync("portal", "limit", "--code", "default", "--burst", "0", "--per-second", "1", "--data", server.DataDir);
        Assert.Equal(2, code);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task The_limit_can_be_switched_off()
    {
        await using var server = await LiveServer.StartAsync("--rate-limit", "false");
        for (var i = 0; i < 120; i++) Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
    }

    [Fact]
    public async Task The_operating_limit_blocks_a_method_of_one_credential_until_its_baskets_expire()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock, "--operating-limit", "0.000001");
        var other = await server.AddWebhookAsync(1, "mailservice");
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Status);
        var blocked = await server.GetAsync(server.Webhook + "mailservice.get?ID=1");
        Assert.Equal((HttpStatusCode)429, blocked.Status);
        Assert.Equal("OPERATION_TIME_LIMIT", blocked.Error);
        Assert.Equal("Method is blocked due to operation time limit.", blocked.ErrorDescription);
        // Other methods, and other webhooks, are not affected.
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.fields")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(other + "mailservice.get?ID=1")).Status);

        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Equal((HttpStatusCode)429, (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Status);
    }

    [Fact]
    public async Task Inside_a_batch_the_commands_count_and_the_batch_does_not()
    {
        var clock = new ManualClock();
        await using var server = await LiveServer.StartAsync(clock, "--operating-limit", "0.000001");
        var response = await server.PostJsonAsync(server.Webhook + "batch", """{"cmd":{"a":"mailservice.get?ID=1","b":"mailservice.get?ID=1","c":"mailservice.fields"}}""");
        Assert.Equal(["a", "c"], response.Result.GetProperty("result").EnumerateObject().Select(p => p.Name));
        Assert.Equal("OPERATION_TIME_LIMIT", response.Result.GetProperty("result_error").GetProperty("b").GetProperty("error").GetString());
        Assert.Equal((HttpStatusCode)429, (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Status);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(server.Webhook + "batch", """{"cmd":{"x":"user.admin"}}""")).Status);
    }

    [Fact]
    public async Task Operating_and_its_reset_follow_one_minute_baskets()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        await using var server = await LiveServer.StartAsync(clock);
        var t0 = clock.GetUtcNow().ToUnixTimeSeconds();
        var first = (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Json.GetProperty("time");
        Assert.Equal(t0 + 600, first.GetProperty("operating_reset_at").GetInt64());

        clock.Advance(TimeSpan.FromSeconds(59));
        var sameBasket = (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Json.GetProperty("time");
        Assert.Equal(t0 + 600, sameBasket.GetProperty("operating_reset_at").GetInt64());
        Assert.True(sameBasket.GetProperty("operating").GetDouble() > first.GetProperty("operating").GetDouble());

        clock.Advance(TimeSpan.FromSeconds(2));
        var secondBasket = (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Json.GetProperty("time");
        Assert.Equal(t0 + 600, secondBasket.GetProperty("operating_reset_at").GetInt64());

        // Ten minutes after the first basket opened it is gone; the oldest live one opened at t0 + 61.
        clock.Advance(TimeSpan.FromSeconds(600 - 61));
        var later = (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Json.GetProperty("time");
        Assert.Equal(t0 + 61 + 600, later.GetProperty("operating_reset_at").GetInt64());
        Assert.True(later.GetProperty("operating").GetDouble() < sameBasket.GetProperty("operating").GetDouble() + secondBasket.GetProperty("processing").GetDouble() + later.GetProperty("processing").GetDouble());
    }

    /// <summary>A client whose connections come from another loopback address, as a second machine would.</summary>
    private static HttpClient ClientFrom(LiveServer server, IPAddress local)
    {
        var thumbprint = server.Certificate.Thumbprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && new System.Security.Cryptography.X509Certificates.X509Certificate2(c).Thumbprint == thumbprint },
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler);
    }
}
