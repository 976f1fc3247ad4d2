using System.Diagnostics;
using System.Net.Sockets;

namespace B24Mail.Fuzz;

/// <summary>Sends the generated requests over several keep-alive connections; broken framing goes on connections of its own.</summary>
public sealed class FuzzRunner
{
    private readonly ServerProcess _server;
    private readonly Grammar _grammar;
    private readonly Stats _stats;
    private readonly Options _o;
    private readonly SemaphoreSlim _heavy;
    private long _next;
    private volatile bool _stop;

    public FuzzRunner(ServerProcess server, Grammar grammar, Stats stats, Options options)
    {
        _server = server;
        _grammar = grammar;
        _stats = stats;
        _o = options;
        _heavy = new SemaphoreSlim(options.HeavyInFlight, options.HeavyInFlight);
    }

    /// <summary>Stops the run (the machine is shared: a server past --kill-rss-mb is stopped, not left to grow).</summary>
    public void Stop(string reason)
    {
        StopReason ??= reason;
        _stop = true;
    }

    public string? StopReason { get; private set; }

    public bool Stopped => _stop;

    private MemorySampler? _memory;
    private readonly System.Collections.Concurrent.ConcurrentBag<(string Kind, double Before, double PeakDuring)> _heavyMemory = [];
    private readonly List<(long Index, Focus Focus, double Seconds, double RssAtStart)> _phases = [];

    private void MarkPhase(long index)
    {
        lock (_phases) _phases.Add((index, _grammar.FocusOf(index), _memory!.Now, _memory.LastRss));
        // Beside the workers: the data set is trimmed while the next phase starts.
        if (Housekeeping is { } housekeeping && index > 0) _ = Task.Run(housekeeping.RunAsync);
    }

    /// <summary>Trims the portal's services at each phase start (<see cref="B24Mail.Fuzz.Housekeeping"/>).</summary>
    public Housekeeping? Housekeeping { get; init; }

    /// <summary>The server's RSS while heavy requests (2-16 MiB bodies) ran: per kind, how many, the largest peak while one ran, and the largest rise over the RSS at its start.</summary>
    public IEnumerable<(string Kind, int Count, double MaxPeak, double MaxRise)> HeavyMemory() =>
        _heavyMemory.GroupBy(h => h.Kind).OrderBy(g => g.Key).Select(g => (g.Key, g.Count(), g.Max(h => h.PeakDuring), g.Max(h => h.PeakDuring - h.Before)));

    /// <summary>Per phase: its focus, its RSS at the start, and the peak RSS while it ran.</summary>
    public IEnumerable<(long Index, Focus Focus, double RssAtStart, double Peak)> Phases(MemorySampler memory)
    {
        var endSeconds = memory.Now;
        lock (_phases)
        {
            var ordered = _phases.OrderBy(p => p.Index).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                var end = i + 1 < ordered.Count ? ordered[i + 1].Seconds : endSeconds;
                yield return (ordered[i].Index, ordered[i].Focus, ordered[i].RssAtStart, memory.PeakBetween(ordered[i].Seconds, end));
            }
        }
    }

    public async Task RunAsync(MemorySampler memory)
    {
        _memory = memory;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, _o.Connections).Select(_ => Task.Run(WorkerAsync)).ToArray();
        var all = Task.WhenAll(workers);
        long lastDone = 0;
        var lastTime = 0.0;
        while (await Task.WhenAny(all, Task.Delay(5000)) != all)
        {
            var done = _stats.Requests;
            var now = clock.Elapsed.TotalSeconds;
            var focus = _grammar.FocusOf(Math.Min(Interlocked.Read(ref _next), _o.Requests - 1));
            Console.WriteLine($"  {done,9:N0}/{_o.Requests:N0}  {(done - lastDone) / (now - lastTime),7:N0} req/s  500s={_stats.Status(500)}  resets={_stats.Resets}  timeouts={_stats.Timeouts}  rss={memory.LastRss:F0} MB (peak {memory.PeakRss:F0})  traces={_server.StackTraces}  phase={focus}");
            lastDone = done;
            lastTime = now;
            if (_server.HasExited) Stop($"the server exited with code {_server.ExitCode}");
        }
        await all;
    }

    private sealed class Worker
    {
        public RawConnection? Conn;
        public bool Reused;
    }

    private async Task WorkerAsync()
    {
        var w = new Worker();
        try
        {
            while (!_stop)
            {
                var i = Interlocked.Increment(ref _next) - 1;
                if (i >= _o.Requests) break;
                if (i % _grammar.PhaseLength == 0) MarkPhase(i);
                var request = _grammar.Generate(i);
                if (request.Heavy) await _heavy.WaitAsync();
                try
                {
                    _stats.Sent(request);
                    var start = Stopwatch.GetTimestamp();
                    var before = _memory!.LastRss;
                    if (request.Fresh) await FreshAsync(request);
                    else await KeepAliveAsync(request, w);
                    var took = Stopwatch.GetTimestamp() - start;
                    _stats.Took(request, took);
                    if (request.Heavy) _heavyMemory.Add((request.Kind, before, _memory.RecentPeak(Stopwatch.GetElapsedTime(start).TotalSeconds + 0.3)));
                }
                finally
                {
                    if (request.Heavy) _heavy.Release();
                }
            }
        }
        finally
        {
            w.Conn?.Dispose();
        }
    }

    private int TimeoutFor(FuzzRequest r) => r.Heavy ? 120_000 : r.Fresh ? _o.RawTimeoutMs : _o.TimeoutMs;

    private async Task KeepAliveAsync(FuzzRequest request, Worker w)
    {
        using var cts = new CancellationTokenSource(TimeoutFor(request));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (w.Conn is null)
                {
                    w.Conn = await RawConnection.OpenAsync(_server.Endpoint, cts.Token);
                    w.Reused = false;
                }
                var reused = w.Reused;
                w.Reused = true;
                Exception? sendError = null;
                try
                {
                    await w.Conn.SendAsync(request, cts.Token);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    // The server may have answered (413, 400) and closed before taking the whole request.
                    sendError = e;
                }
                HttpAnswer? answer;
                try
                {
                    answer = await w.Conn.ReadAnswerAsync(request.IsHead, cts.Token);
                }
                catch (Exception e) when (sendError is not null && e is SocketException or IOException)
                {
                    answer = null;
                }
                if (answer is null)
                {
                    Drop(w);
                    // The server closed an idle connection between two requests: not this request's doing.
                    if (reused && attempt == 0) continue;
                    if (sendError is not null) _stats.Reset(request, sendError.Message);
                    else _stats.ClosedWithoutAnswer(request);
                    return;
                }
                _stats.Answer(request, answer.Value);
                if (answer.Value.Close || sendError is not null) Drop(w);
                return;
            }
            catch (OperationCanceledException)
            {
                Drop(w);
                _stats.Timeout(request);
                return;
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                Drop(w);
                if (e is EndOfStreamException) _stats.BrokenAnswer(request, e.Message);
                else _stats.Reset(request, e.Message);
                return;
            }
            catch (InvalidDataException e)
            {
                Drop(w);
                _stats.BrokenAnswer(request, e.Message);
                return;
            }
        }
    }

    private static void Drop(Worker w)
    {
        w.Conn?.Dispose();
        w.Conn = null;
    }

    /// <summary>
    /// A connection of its own: write everything (the server may answer and close before the end), read every
    /// answer until the server closes. The sending side is shut after the first answer, or if none came
    /// within the grace time, so a server that would wait for more closes instead.
    /// </summary>
    private async Task FreshAsync(FuzzRequest request)
    {
        using var cts = new CancellationTokenSource(TimeoutFor(request));
        var answers = 0;
        try
        {
            using var conn = await RawConnection.OpenAsync(_server.Endpoint, cts.Token);
            try
            {
                await conn.SendAsync(request, cts.Token);
            }
            catch (SocketException)
            {
                // The server may have answered and closed before taking everything: read what it said.
            }
            while (answers < 16)
            {
                var reading = conn.ReadAnswerAsync(request.IsHead, cts.Token);
                if (answers == 0 && !request.HalfClose && await Task.WhenAny(reading, Task.Delay(_o.GraceMs, cts.Token)) != reading)
                {
                    // No answer yet: maybe the server waits for more of an incomplete request. Show it the end.
                    conn.ShutdownSend();
                }
                var answer = await reading;
                if (answer is null) break;
                answers++;
                _stats.Answer(request, answer.Value);
                if (answer.Value.Close) break;
                conn.ShutdownSend();
            }
            if (answers == 0) _stats.ClosedWithoutAnswer(request);
        }
        catch (OperationCanceledException)
        {
            if (answers == 0) _stats.Timeout(request);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            if (e is EndOfStreamException) _stats.BrokenAnswer(request, e.Message);
            else if (answers == 0) _stats.Reset(request, e.Message);
        }
        catch (InvalidDataException e)
        {
            _stats.BrokenAnswer(request, e.Message);
        }
    }
}
