using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.ControlPlane;

/// <summary>
/// The meter B24Mail, scraped in Prometheus text at /_b24mail/metrics and pushed over OTLP when asked. The meter is
/// one per process, so every in-process server of a test run counts into it: these tests run alone (their collection
/// is not run in parallel with others), or another class's gets would show up in their counts.
/// </summary>
[Collection(nameof(MetricsTests))]
public sealed class MetricsTests
{
    private static double Value(string text, string series, params string[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(series + "{") || !labels.All(l => line.Contains(l))) continue;
            return double.Parse(line[(line.LastIndexOf('}') + 2)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    [Fact]
    public async Task Prometheus_shows_requests_moving_by_method_and_status()
    {
        await using var server = await LiveServer.StartAsync("--rate-limit", "true", "--rate-limit-burst", "3", "--rate-limit-per-second", "0.01");
        var before = (await server.GetAsync(server.HttpsBase + "/_b24mail/metrics")).Raw;
        for (var i = 0; i < 5; i++) await server.GetAsync(server.Webhook + "mailservice.get?ID=1");
        await server.GetAsync(server.Webhook + "no.such.method." + Guid.NewGuid().ToString("N"));
        var response = await server.GetAsync(server.HttpsBase + "/_b24mail/metrics");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("text/plain", response.Message.Content.Headers.ContentType?.ToString());
        var after = response.Raw;

        const string requests = "b24mail_requests_total";
        Assert.Equal(3, Value(after, requests, "method=\"mailservice.get\"", "status=\"200\"") - Value(before, requests, "method=\"mailservice.get\"", "status=\"200\""));
        Assert.Equal(2, Value(after, requests, "method=\"mailservice.get\"", "status=\"503\"", "error=\"QUERY_LIMIT_EXCEEDED\""));
        // A made-up method is counted without its name, so clients cannot grow the series.
        Assert.Equal(1, Value(after, requests, "method=\"unknown\"", "status=\"404\""));
        Assert.DoesNotContain("no.such.method", after);
        Assert.Equal(2, Value(after, "b24mail_ratelimit_hits_total"));
        Assert.True(Value(after, "b24mail_request_duration_seconds_count", "method=\"mailservice.get\"", "status=\"200\"") >= 3);
        Assert.True(Value(after, "b24mail_store_duration_seconds_count", "operation=\"read\"") > 0, after);
    }

    [Fact]
    public async Task Metrics_need_the_control_plane_access()
    {
        await using var server = await LiveServer.StartAsync("--trusted-proxies", "127.0.0.1");
        var request = new HttpRequestMessage(HttpMethod.Get, server.HttpsBase + "/_b24mail/metrics");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(request)).Status);
    }

    [Fact]
    public async Task Otlp_posts_metrics_to_the_collector_the_environment_names()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new TaskCompletionSource<(string Path, string? Type, long Length)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using (var body = new MemoryStream())
                {
                    await context.Request.InputStream.CopyToAsync(body);
                    if (context.Request.HttpMethod == "POST" && body.Length > 0) received.TrySetResult((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.Length));
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        await using var server = await LiveServer.StartAsync(LiveServer.NewDataDir(), [], configure: builder =>
        {
            builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}";
            builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            builder.Configuration["OTEL_METRIC_EXPORT_INTERVAL"] = "300";
        });
        await server.GetAsync(server.Webhook + "mailservice.get?ID=1");
        var post = await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("/v1/metrics", post.Path);
        Assert.Equal("application/x-protobuf", post.Type);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
