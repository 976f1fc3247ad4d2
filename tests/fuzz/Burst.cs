using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace B24Mail.Fuzz;

/// <summary>
/// Bursts of many concurrent connections, each making a few requests, with the server's memory sampled
/// before, during and after each: does it settle back to within 2x of where it was?
/// </summary>
public sealed class Burst
{
    public sealed record Figures(int Number, int Connections, int Connected, long Answers, long Status500, long Failures, double Seconds, double Pre, double Peak, double After, double Min, bool Settled, int FdsBefore, int FdsAfter);

    private readonly ServerProcess _server;
    private readonly Credentials _c;
    private readonly Options _o;

    public Burst(ServerProcess server, Credentials credentials, Options options)
    {
        _server = server;
        _c = credentials;
        _o = options;
    }

    private FuzzRequest[] Script(int n) =>
    [
        Http.Make("burst.get", "GET", $"/rest/1/{_c.AdminSecret}/mailservice.get?ID={1 + n % 8}", _c.HostPort),
        Http.Make("burst.list", "POST", $"/rest/1/{_c.AdminSecret}/mailservice.list{(n % 3 == 0 ? ".xml" : "")}", _c.HostPort, null, []),
        Http.Make("burst.batch", "POST", $"/rest/{(n % 2 == 0 ? "batch" : $"1/{_c.AdminSecret}/batch")}", _c.HostPort, n % 2 == 0 ? ["Authorization: Bearer " + _c.AccessToken] : null,
            Http.Utf8.GetBytes(string.Join("&", Enumerable.Range(1, 5).Select(i => $"cmd[c{i}]=" + Http.UrlEncode($"mailservice.get?ID={i}")))), "application/x-www-form-urlencoded"),
        // A webhook that does not exist: the refusal path, with a secret no other connection uses.
        Http.Make("burst.unknown-webhook", "GET", $"/rest/1/{new Rng((ulong)n, 7).Secret()}/mailservice.get?ID=1", _c.HostPort),
    ];

    public async Task<List<Figures>> RunAsync(MemorySampler memory)
    {
        Console.WriteLine($"burst: warming up (32 connections x 33 rounds of the {Script(0).Length} requests each burst connection makes)");
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async n =>
        {
            for (var i = 0; i < 33; i++) await ClientAsync(n * 33 + i, null, null, new Counters());
        }));
        await Task.Delay(3000);
        var results = new List<Figures>();
        for (var b = 1; b <= _o.Bursts; b++)
        {
            var pre = await SteadyAsync(memory, 1.0);
            var fdsBefore = _server.OpenFds();
            var counters = new Counters();
            var clock = Stopwatch.StartNew();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var connected = 0;
            var clients = Enumerable.Range(0, _o.BurstConnections).Select(n => Task.Run(() => ClientAsync(n, gate.Task, () => Interlocked.Increment(ref connected), counters))).ToArray();
            // Let every connection open first, so that all of them are live at once; then all send.
            var waitConnect = Stopwatch.StartNew();
            while (Volatile.Read(ref connected) + Volatile.Read(ref counters.ConnectFailures) < _o.BurstConnections && waitConnect.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(20);
            gate.SetResult();
            var all = Task.WhenAll(clients);
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60)));
            var seconds = clock.Elapsed.TotalSeconds;
            memory.Sample();
            var peak = memory.RecentPeak(seconds + 0.5);
            // Settle: sample for the settle time, the last figure counts.
            var min = double.MaxValue;
            var settle = Stopwatch.StartNew();
            while (settle.Elapsed.TotalSeconds < _o.SettleSeconds)
            {
                await Task.Delay(500);
                memory.Sample();
                min = Math.Min(min, memory.LastRss);
            }
            var after = memory.LastRss;
            var f = new Figures(b, _o.BurstConnections, connected, counters.Answers, counters.Status500, counters.Failures + counters.ConnectFailures, seconds, pre, peak, after, min, after <= 2 * pre, fdsBefore, _server.OpenFds());
            results.Add(f);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"burst {b}: {f.Connections} connections ({f.Connected} connected at once), {f.Answers} answers, {f.Status500} x 500, {f.Failures} failures, {f.Seconds:F1} s; RSS before {f.Pre:F1} MB, peak {f.Peak:F1} MB, after {_o.SettleSeconds} s {f.After:F1} MB (min {f.Min:F1}) -> {(f.Settled ? "settled" : "NOT settled")} (limit 2x = {2 * f.Pre:F1} MB); open fds {f.FdsBefore} -> {f.FdsAfter}"));
        }
        return results;
    }

    /// <summary>The RSS averaged over a short quiet while.</summary>
    private static async Task<double> SteadyAsync(MemorySampler memory, double seconds)
    {
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            memory.Sample();
            samples.Add(memory.LastRss);
            await Task.Delay(100);
        }
        return samples.Average();
    }

    private sealed class Counters
    {
        public long Answers, Status500, Failures, ConnectFailures;
    }

    private async Task ClientAsync(int n, Task? gate, Func<int>? onConnected, Counters counters)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        RawConnection conn;
        try
        {
            conn = await RawConnection.OpenAsync(_server.Endpoint, cts.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Interlocked.Increment(ref counters.ConnectFailures);
            return;
        }
        using (conn)
        {
            onConnected?.Invoke();
            if (gate is not null) await gate;
            try
            {
                foreach (var request in Script(n))
                {
                    await conn.SendAsync(request, cts.Token);
                    var answer = await conn.ReadAnswerAsync(false, cts.Token);
                    if (answer is null)
                    {
                        Interlocked.Increment(ref counters.Failures);
                        return;
                    }
                    Interlocked.Increment(ref counters.Answers);
                    if (answer.Value.Status >= 500) Interlocked.Increment(ref counters.Status500);
                    if (answer.Value.Close) return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException)
            {
                Interlocked.Increment(ref counters.Failures);
            }
        }
    }
}
