using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace B24Mail.Fuzz;

/// <summary>
/// The server under test: started from the given binary (native executable or <c>b24mail.dll</c>) on loopback
/// with a fresh data folder, its stdout and stderr written to a log file and scanned for stack traces.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _logLock = new();
    private readonly TaskCompletionSource<string> _webhook = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TraceScanner _stdout = new(), _stderr = new();

    public string Binary { get; }
    public string Data { get; }
    public int Port { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;
    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    private ServerProcess(string binary, string data, int port, string logPath, Process process, StreamWriter log)
    {
        Binary = binary;
        Data = data;
        Port = port;
        LogPath = logPath;
        _process = process;
        _log = log;
    }

    /// <summary>Stack traces seen so far: runs of lines that start with whitespace and "at ", or that contain "Exception".</summary>
    public int StackTraces => _stdout.Traces + _stderr.Traces;

    public int TraceLines => _stdout.Lines + _stderr.Lines;

    /// <summary>The first line of each distinct trace (up to a few), with how often it was seen.</summary>
    public IReadOnlyList<(string Head, int Count, string Sample)> TraceKinds => TraceScanner.Merge(_stdout, _stderr);

    public static ProcessStartInfo Launch(string binary, IEnumerable<string> args)
    {
        var dll = binary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(dll ? "dotnet" : binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (dll) psi.ArgumentList.Add(binary);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return psi;
    }

    private static readonly List<Process> Live = [];

    /// <summary>Kills every server this harness started and that still runs (on Ctrl-C, SIGTERM, or exit).</summary>
    public static void KillAll()
    {
        lock (Live)
        {
            foreach (var p in Live)
            {
                try
                {
                    if (!p.HasExited)
                    {
                        p.Kill(entireProcessTree: true);
                        p.WaitForExit(3000);
                    }
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }

    /// <summary>A port the kernel just gave out, so nothing else listens there.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<ServerProcess> StartAsync(string binary, string workDir, TimeSpan startTimeout)
    {
        var data = Path.Combine(workDir, "data");
        Directory.CreateDirectory(data);
        var port = FreePort();
        var logPath = Path.Combine(workDir, "server.log");
        var log = new StreamWriter(logPath, append: false, Encoding.UTF8) { AutoFlush = false };
        var psi = Launch(binary, ["--data", data, "--urls", $"http://127.0.0.1:{port}", "--allow-http", "true", "--rate-limit", "false"]);
        psi.WorkingDirectory = workDir;
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new ServerProcess(binary, data, port, logPath, process, log);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data, server._stdout, "out");
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data, server._stderr, "err");
        process.Start();
        lock (Live) Live.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(server._webhook.Task, exited, Task.Delay(startTimeout));
        if (first != server._webhook.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"the server did not print its webhook URL (see {logPath})");
        }
        return server;
    }

    /// <summary>The bootstrap webhook URL the server printed ("Webhook URL: http://127.0.0.1:PORT/rest/1/SECRET/").</summary>
    public Task<string> WebhookUrl => _webhook.Task;

    private void OnLine(string? line, TraceScanner scanner, string stream)
    {
        if (line is null) return;
        lock (_logLock) _log.WriteLine(line);
        if (line.StartsWith("Webhook URL:", StringComparison.Ordinal)) _webhook.TrySetResult(line["Webhook URL:".Length..].Trim());
        scanner.Feed(line);
    }

    public void FlushLog()
    {
        lock (_logLock) _log.Flush();
    }

    /// <summary>Runs a command of the same binary on the same data folder (user add, webhook add, ...) and returns its stdout.</summary>
    public async Task<string> CommandAsync(params string[] args)
    {
        var psi = Launch(Binary, [.. args, "--data", Data]);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"b24mail {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
        return (await stdout).Trim();
    }

    /// <summary>Open file descriptors of the server (sockets, database files), from /proc/PID/fd; -1 if unreadable.</summary>
    public int OpenFds()
    {
        try
        {
            return Directory.GetFileSystemEntries($"/proc/{_process.Id}/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>(VmRSS, VmHWM) in MiB from /proc/PID/status; null once the process is gone.</summary>
    public (double Rss, double Hwm)? Memory()
    {
        try
        {
            double rss = -1, hwm = -1;
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line) / 1024.0;
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kb(line) / 1024.0;
            }
            return rss < 0 ? null : (rss, hwm);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM first, as an operator would; then SIGKILL.
                Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
            else
            {
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        lock (_logLock) _log.Dispose();
        _process.Dispose();
    }

    /// <summary>Sets up the extra credentials: a non-admin user, an inactive user, a second portal, an app and a token pair.</summary>
    public async Task<Credentials> ProvisionAsync()
    {
        var webhook = new Uri(await WebhookUrl);
        var adminSecret = webhook.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[2];
        var urls = new[] { "--urls", BaseUrl };
        var user2 = await CommandAsync("user", "add", "--name", "Fuzz", "--last-name", "User");
        var userHook = await CommandAsync(["webhook", "add", "--user", user2, "--scope", "mailservice,user", .. urls]);
        var user3 = await CommandAsync("user", "add", "--name", "Gone");
        var inactiveHook = await CommandAsync(["webhook", "add", "--user", user3, "--scope", "mailservice,user", .. urls]);
        await CommandAsync("user", "deactivate", "--user", user3);
        const string p2Domain = "p2.fuzz.example";
        await CommandAsync("portal", "add", "--code", "p2", "--domain", p2Domain);
        var p2Hook = await CommandAsync(["webhook", "add", "--portal", "p2", "--user", "1", "--scope", "mailservice,user", .. urls]);
        using var app = JsonDocument.Parse(await CommandAsync("app", "add", "--name", "A", "--scope", "mailservice", "--redirect-uri", "https://a.example/"));
        var clientId = app.RootElement.GetProperty("client_id").GetString()!;
        var clientSecret = app.RootElement.GetProperty("client_secret").GetString()!;
        using var token = JsonDocument.Parse(await CommandAsync("token", "issue", "--app", clientId, "--user", "1"));
        return new Credentials
        {
            HostPort = $"127.0.0.1:{Port}",
            AdminSecret = adminSecret,
            UserSecret = SecretOf(userHook),
            InactiveSecret = SecretOf(inactiveHook),
            P2Secret = SecretOf(p2Hook),
            P2Domain = p2Domain,
            ClientId = clientId,
            ClientSecret = clientSecret,
            AccessToken = token.RootElement.GetProperty("access_token").GetString()!,
            RefreshToken = token.RootElement.GetProperty("refresh_token").GetString()!,
        };

        static string SecretOf(string url) => new Uri(url).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[2];
    }

    /// <summary>Adds a service with a tiny PNG logo and returns the path where the server serves that logo.</summary>
    public async Task<string?> MakeIconAsync(Credentials c)
    {
        var body = Http.Utf8.GetBytes("NAME=Logo&ICON[0]=a.png&ICON[1]=" + Http.UrlEncode(Convert.ToBase64String(Images.TinyPng)));
        var added = await Exchange(Http.Make("setup", "POST", $"/rest/1/{c.AdminSecret}/mailservice.add", c.HostPort, null, body, "application/x-www-form-urlencoded"));
        if (added is not { Status: 200 }) return null;
        using var a = JsonDocument.Parse(added.Value.BodyStart);
        var id = a.RootElement.GetProperty("result").ToString();
        var got = await Exchange(Http.Make("setup", "GET", $"/rest/1/{c.AdminSecret}/mailservice.get?ID={id}", c.HostPort));
        if (got is not { Status: 200 }) return null;
        using var g = JsonDocument.Parse(got.Value.BodyStart);
        var icon = g.RootElement.GetProperty("result").GetProperty("ICON").GetString();
        return icon is null ? null : new Uri(icon).AbsolutePath;
    }

    public async Task<HttpAnswer?> Exchange(FuzzRequest request, int timeoutMs = 10_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        using var conn = await RawConnection.OpenAsync(Endpoint, cts.Token);
        await conn.SendAsync(request, cts.Token);
        return await conn.ReadAnswerAsync(request.IsHead, cts.Token, keep: 1 << 20);
    }
}

/// <summary>
/// Counts stack traces in a log stream. A trace is a run of consecutive lines each of which starts with
/// whitespace and "at ", contains "Exception", or is .NET's "--- End of ... stack trace ---" separator.
/// </summary>
public sealed class TraceScanner
{
    private bool _inTrace;
    private readonly List<string> _current = [];
    private readonly Dictionary<string, (int Count, string Sample)> _kinds = new();

    public int Traces { get; private set; }
    public int Lines { get; private set; }

    public static bool IsTraceLine(string line)
    {
        var t = line.TrimStart();
        return (t.Length < line.Length && t.StartsWith("at ", StringComparison.Ordinal)) || line.Contains("Exception", StringComparison.Ordinal) || t.StartsWith("--- End of", StringComparison.Ordinal);
    }

    public void Feed(string line)
    {
        lock (this)
        {
            if (IsTraceLine(line))
            {
                Lines++;
                if (!_inTrace)
                {
                    Traces++;
                    _inTrace = true;
                    _current.Clear();
                }
                if (_current.Count < 40) _current.Add(line);
            }
            else if (_inTrace)
            {
                End();
            }
        }
    }

    private void End()
    {
        _inTrace = false;
        var head = _current.FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal))?.Trim() ?? _current[0].Trim();
        // Group by the exception and the first frame of our own code (or the first frame).
        var frame = _current.FirstOrDefault(l => l.TrimStart().StartsWith("at B24Mail", StringComparison.Ordinal))?.Trim() ?? _current.FirstOrDefault(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal))?.Trim() ?? "";
        // Quoted parts (a key name, a value) vary between occurrences of one fault.
        var key = System.Text.RegularExpressions.Regex.Replace(head, "'[^']*'", "'…'") + " | " + frame;
        _kinds[key] = _kinds.TryGetValue(key, out var k) ? (k.Count + 1, k.Sample) : (1, string.Join('\n', _current));
    }

    public static IReadOnlyList<(string Head, int Count, string Sample)> Merge(params TraceScanner[] scanners)
    {
        var all = new Dictionary<string, (int Count, string Sample)>();
        foreach (var s in scanners)
        {
            lock (s)
            {
                if (s._inTrace) s.End();
                foreach (var (k, v) in s._kinds) all[k] = all.TryGetValue(k, out var a) ? (a.Count + v.Count, a.Sample) : v;
            }
        }
        return all.OrderByDescending(kv => kv.Value.Count).Select(kv => (kv.Key, kv.Value.Count, kv.Value.Sample)).ToList();
    }
}

/// <summary>Samples the server's VmRSS/VmHWM every interval; keeps the peak and a time series.</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly ServerProcess _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(double T, double Rss)> _series = [];

    /// <summary>Called once, from the sampling loop, when the RSS first passes <see cref="Limit"/>.</summary>
    public Action<double>? OnOverLimit { get; set; }

    public double Limit { get; set; } = double.MaxValue;

    private bool _over;

    public MemorySampler(ServerProcess server, TimeSpan interval)
    {
        _server = server;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            Sample();
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token)) Sample();
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public double PeakRss { get; private set; }
    public double Hwm { get; private set; }
    public double LastRss { get; private set; }

    public void Sample()
    {
        if (_server.Memory() is not { } m) return;
        lock (_series)
        {
            LastRss = m.Rss;
            PeakRss = Math.Max(PeakRss, m.Rss);
            Hwm = Math.Max(Hwm, m.Hwm);
            _series.Add((_clock.Elapsed.TotalSeconds, m.Rss));
        }
        if (m.Rss > Limit && !_over)
        {
            _over = true;
            OnOverLimit?.Invoke(m.Rss);
        }
    }

    /// <summary>Seconds on the sampler's clock, the one <see cref="PeakBetween"/> takes.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>The largest RSS sampled between two readings of <see cref="Now"/>.</summary>
    public double PeakBetween(double fromSeconds, double toSeconds)
    {
        lock (_series)
        {
            return _series.Where(s => s.T >= fromSeconds - 0.1 && s.T <= toSeconds + 0.1).Select(s => s.Rss).DefaultIfEmpty(0).Max();
        }
    }

    /// <summary>The largest RSS sampled in the last <paramref name="seconds"/>.</summary>
    public double RecentPeak(double seconds)
    {
        lock (_series)
        {
            var from = _clock.Elapsed.TotalSeconds - seconds;
            return _series.Where(s => s.T >= from).Select(s => s.Rss).DefaultIfEmpty(LastRss).Max();
        }
    }

    public void WriteCsv(string path)
    {
        lock (_series)
        {
            File.WriteAllLines(path, _series.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.T:F2},{s.Rss:F1}")).Prepend("seconds,rss_mb"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        Sample();
    }
}
