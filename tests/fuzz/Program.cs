using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using B24Mail.Fuzz;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Options o;
try
{
    o = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("b24mail-fuzz: " + e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
if (o.Help)
{
    Console.WriteLine(Options.Usage);
    return 0;
}
Directory.CreateDirectory(o.Out);
var work = Directory.CreateTempSubdirectory("b24mail-fuzz-").FullName;
// A harness stopped by Ctrl-C or a signal takes its servers, and their data folders, with it.
void Cleanup()
{
    ServerProcess.KillAll();
    if (o.KeepData) return;
    try
    {
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"could not remove {work}: {e.Message}");
    }
}
AppDomain.CurrentDomain.ProcessExit += (_, _) => ServerProcess.KillAll();
using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, _ => Cleanup());
using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => Cleanup());
using var onHup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, _ => Cleanup());
try
{
    if (o.Replay.Count > 0) return await Replay.RunAsync(o, work);
    var status = 0;
    if (o.Scenario is "fuzz" or "both") status |= await Fuzz(o, Path.Combine(work, "fuzz"));
    if (o.Scenario is "burst" or "both") status |= await BurstScenario(o, Path.Combine(work, "burst"));
    return status;
}
finally
{
    if (o.KeepData) Console.WriteLine($"data kept in {work}");
    else Directory.Delete(work, recursive: true);
}

static async Task<(ServerProcess Server, Credentials Credentials)> StartAsync(Options o, string dir, string logName)
{
    Directory.CreateDirectory(dir);
    var clock = Stopwatch.StartNew();
    var server = await ServerProcess.StartAsync(o.Bin, dir, TimeSpan.FromSeconds(60));
    Console.WriteLine($"server: {o.Bin} pid {server.Pid} on {server.BaseUrl}, webhook {await server.WebhookUrl} ({clock.ElapsedMilliseconds} ms)");
    var credentials = await server.ProvisionAsync();
    credentials.IconPath = await server.MakeIconAsync(credentials);
    Console.WriteLine($"credentials: 4 webhooks (admin, user 2, inactive user 3, portal p2), app {credentials.ClientId}, a token pair, logo {credentials.IconPath ?? "(none)"}");
    File.WriteAllText(Path.Combine(o.Out, logName + ".credentials.json"), JsonSerializer.Serialize(credentials.Named().ToDictionary(n => n.Role, n => n.Value)));
    return (server, credentials);
}

static async Task<int> Fuzz(Options o, string dir)
{
    var (server, credentials) = await StartAsync(o, dir, "fuzz");
    var stats = new Stats(o.Out, o.ExamplesPerKind);
    var grammar = new Grammar(credentials, o.Seed, o.Phase, o.Only);
    var memory = new MemorySampler(server, TimeSpan.FromMilliseconds(200));
    var runner = new FuzzRunner(server, grammar, stats, o) { Housekeeping = new Housekeeping(server, credentials) };
    memory.Limit = o.KillRssMb;
    memory.OnOverLimit = rss =>
    {
        // The machine is shared: a server this far past the limit is stopped rather than left to grow.
        runner.Stop($"server RSS {rss:F0} MB passed --kill-rss-mb {o.KillRssMb}; server killed");
        server.Kill();
    };
    Console.WriteLine($"fuzz: {o.Requests:N0} requests, seed {o.Seed}, {o.Connections} connections, phases of {o.Phase:N0} ({string.Join(", ", Grammar.Cycle)})");
    var clock = Stopwatch.StartNew();
    await runner.RunAsync(memory);
    var elapsed = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"housekeeping: {runner.Housekeeping!.Deleted:N0} services the run added were deleted at phase starts (the newest {Housekeeping.Keep} and the presets kept)");
    // Let the last log lines arrive; see whether the server still answers.
    await Task.Delay(1000);
    var healthy = false;
    try
    {
        healthy = await server.Exchange(Http.Make("health", "GET", "/health", credentials.HostPort), 10_000) is { Status: 200 };
    }
    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
    {
    }
    var phases = runner.Phases(memory).ToList();
    await memory.DisposeAsync();
    var alive = !server.HasExited;
    var peak = Math.Max(memory.PeakRss, memory.Hwm);
    var traces = server.StackTraces;
    var traceLines = server.TraceLines;
    var traceKinds = server.TraceKinds;
    await server.DisposeAsync();
    File.Copy(server.LogPath, Path.Combine(o.Out, "fuzz.server.log"), overwrite: true);
    memory.WriteCsv(Path.Combine(o.Out, "fuzz.memory.csv"));

    var report = new StringBuilder();
    report.AppendLine();
    report.AppendLine($"== fuzz summary ({o.Bin}) ==");
    report.AppendLine($"requests {stats.Requests:N0} in {elapsed:F1} s = {stats.Requests / elapsed:N0} req/s; {stats.Answers:N0} answers; {stats.BytesSent / 1048576.0:N0} MiB sent");
    report.AppendLine("answers by status: " + string.Join("  ", stats.Statuses().Select(s => $"{s.Code}={s.Count:N0}")));
    report.AppendLine($"resets {stats.Resets:N0}, timeouts {stats.Timeouts:N0}, closed without answer {stats.Closed:N0}, broken answers {stats.BrokenAnswers:N0}");
    report.AppendLine($"server memory: peak RSS {memory.PeakRss:F1} MB sampled every 200 ms, VmHWM {memory.Hwm:F1} MB (limit {o.MaxRssMb} MB)");
    report.AppendLine("server memory by phase (RSS at its start -> peak while it ran):");
    foreach (var (index, focus, start, phasePeak) in phases) report.AppendLine($"  from request {index,9:N0}  {focus,-12} {start,7:F0} -> {Math.Max(start, phasePeak),7:F0} MB");
    var heavy = runner.HeavyMemory().ToList();
    if (heavy.Count > 0) report.AppendLine("bodies of 2-16 MiB (one at a time): " + string.Join("; ", heavy.Select(h => $"{h.Kind} x{h.Count}: RSS up to {h.MaxPeak:F0} MB while one ran, at most +{h.MaxRise:F0} MB over its start")));
    report.AppendLine($"server log: {traces} stack traces ({traceLines} lines); server {(alive ? "alive" : $"EXITED ({server.ExitCode})")}, /health {(healthy ? "200" : "FAILED")}");
    foreach (var (head, count, _) in traceKinds.Take(10)) report.AppendLine($"  {count,7:N0} x {Trim(head, 200)}");
    // Broken framing may rightly be reset, closed or answered in another protocol (an HTTP/2 preface); well-formed requests may not.
    var bad = stats.Kinds().Where(k => k.Stats.S500 + k.Stats.Other5xx + k.Stats.Timeouts > 0 || (!k.Kind.StartsWith("raw.", StringComparison.Ordinal) && k.Stats.Resets + k.Stats.Closed + k.Stats.BrokenAnswers > 0))
        .OrderByDescending(k => k.Stats.S500).ThenBy(k => k.Kind).ToList();
    if (bad.Count > 0)
    {
        report.AppendLine("kinds with 5xx or timeouts (or, for well-formed requests, resets, closes without answer, broken answers):");
        report.AppendLine($"  {"kind",-44} {"sent",8} {"500",7} {"5xx",5} {"reset",6} {"timeout",7} {"closed",6} {"broken",6}");
        foreach (var (kind, k) in bad) report.AppendLine($"  {kind,-44} {k.Sent,8} {k.S500,7} {k.Other5xx,5} {k.Resets,6} {k.Timeouts,7} {k.Closed,6} {k.BrokenAnswers,6}");
    }
    var rawResets = stats.Kinds().Where(k => k.Kind.StartsWith("raw.", StringComparison.Ordinal)).Sum(k => k.Stats.Resets + k.Stats.Closed);
    var rawBroken = stats.Kinds().Where(k => k.Kind.StartsWith("raw.", StringComparison.Ordinal)).Sum(k => k.Stats.BrokenAnswers);
    report.AppendLine($"broken framing (raw.*): {rawResets:N0} resets or closes without answer, {rawBroken:N0} answers not in HTTP/1 (expected there)");
    report.AppendLine($"kinds: {stats.Kinds().Count()} (per-kind table in {Path.Combine(o.Out, "fuzz.kinds.tsv")}); examples in {Path.Combine(o.Out, "examples")}");
    var failed = new List<string>();
    if (stats.Status(500) > 0) failed.Add($"{stats.Status(500)} answers were 500");
    if (peak > o.MaxRssMb) failed.Add($"peak RSS {peak:F0} MB is over {o.MaxRssMb} MB");
    if (traces > 0) failed.Add($"{traces} stack traces in the server log");
    if (!alive) failed.Add("the server exited");
    else if (!healthy) failed.Add("/health did not answer 200 after the run");
    if (runner.StopReason is not null) failed.Add("stopped early: " + runner.StopReason);
    report.AppendLine(failed.Count == 0 ? "result: PASS" : "result: FAIL: " + string.Join("; ", failed));
    var line = string.Create(CultureInfo.InvariantCulture,
        $"fuzz: requests={stats.Requests} 500s={stats.Status(500)} peak_rss_mb={peak:F1} stack_traces={traces} resets={stats.Resets} timeouts={stats.Timeouts} closed={stats.Closed} elapsed_s={elapsed:F1} rps={stats.Requests / elapsed:F0}");
    report.AppendLine(line);
    Console.Write(report);
    File.WriteAllText(Path.Combine(o.Out, "fuzz.summary.txt"), report.ToString());
    File.WriteAllLines(Path.Combine(o.Out, "fuzz.kinds.tsv"), stats.Kinds().OrderBy(k => k.Kind).Select(k =>
        $"{k.Kind}\t{k.Stats.Sent}\t{k.Stats.Bytes}\t{k.Stats.Ticks * 1000.0 / Stopwatch.Frequency / Math.Max(1, k.Stats.Sent):F2}\t{k.Stats.S2xx}\t{k.Stats.S3xx}\t{k.Stats.S4xx}\t{k.Stats.S500}\t{k.Stats.Other5xx}\t{k.Stats.Resets}\t{k.Stats.Timeouts}\t{k.Stats.Closed}\t{k.Stats.BrokenAnswers}")
        .Prepend("kind\tsent\tbytes\tmean_ms\t2xx\t3xx\t4xx\t500\tother5xx\tresets\ttimeouts\tclosed\tbroken"));
    File.WriteAllText(Path.Combine(o.Out, "fuzz.traces.txt"), string.Join("\n\n", traceKinds.Select(t => $"# {t.Count} x {t.Head}\n{t.Sample}")));
    return failed.Count == 0 ? 0 : 1;
}

static async Task<int> BurstScenario(Options o, string dir)
{
    var (server, credentials) = await StartAsync(o, dir, "burst");
    var memory = new MemorySampler(server, TimeSpan.FromMilliseconds(100));
    var clock = Stopwatch.StartNew();
    List<Burst.Figures> figures;
    try
    {
        figures = await new Burst(server, credentials, o).RunAsync(memory);
    }
    finally
    {
        await memory.DisposeAsync();
    }
    var traces = server.StackTraces;
    await server.DisposeAsync();
    File.Copy(server.LogPath, Path.Combine(o.Out, "burst.server.log"), overwrite: true);
    memory.WriteCsv(Path.Combine(o.Out, "burst.memory.csv"));
    var first = figures[0].Pre;
    var settledAll = figures.All(f => f.Settled);
    var answers500 = figures.Sum(f => f.Status500);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"burst: {figures.Count} bursts in {clock.Elapsed.TotalSeconds:F0} s; RSS before the first {first:F1} MB, after the last {figures[^1].After:F1} MB ({figures[^1].After / first:F2}x); {(settledAll ? "every burst settled within 2x" : "NOT every burst settled within 2x")}; {traces} stack traces"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"burst: bursts={figures.Count} connections={o.BurstConnections} pre_mb={string.Join('/', figures.Select(f => f.Pre.ToString("F1")))} peak_mb={string.Join('/', figures.Select(f => f.Peak.ToString("F1")))} after_mb={string.Join('/', figures.Select(f => f.After.ToString("F1")))} settled={(settledAll ? "yes" : "no")} growth_x={figures[^1].After / first:F2} fds={figures[0].FdsBefore}/{figures[^1].FdsAfter} 500s={answers500} failures={figures.Sum(f => f.Failures)} stack_traces={traces}"));
    return settledAll && answers500 == 0 && traces == 0 ? 0 : 1;
}

static string Trim(string s, int n) => s.Length <= n ? s : s[..n] + "...";

public sealed class Options
{
    public string Bin { get; private set; } = "";
    public long Requests { get; private set; } = 1_000_000;
    public ulong Seed { get; private set; } = 1;
    public int Connections { get; private set; } = 32;
    public double MaxRssMb { get; private set; } = 512;
    public long Phase { get; private set; } = 20_000;
    public string Out { get; private set; } = Path.Combine(Directory.GetCurrentDirectory(), "fuzz-out");
    public int TimeoutMs { get; private set; } = 15_000;
    public int RawTimeoutMs { get; private set; } = 5_000;
    public int GraceMs { get; private set; } = 500;
    public double KillRssMb { get; private set; } = 6144;
    public int HeavyInFlight { get; private set; } = 1;
    public string Scenario { get; private set; } = "fuzz";
    public int BurstConnections { get; private set; } = 1000;
    public int Bursts { get; private set; } = 3;
    public int SettleSeconds { get; private set; } = 15;
    public int ExamplesPerKind { get; private set; } = 5;
    public bool KeepData { get; private set; }
    public bool Help { get; private set; }
    public List<string> Replay { get; } = [];
    public List<string> Only { get; } = [];

    public const string Usage = """
        usage: b24mail-fuzz --bin PATH [options]          (tests/fuzz/run builds what it needs and calls this)
          --bin PATH              the server: native executable, or b24mail.dll (run with dotnet)
          --requests N            requests to send (1000000)
          --seed S                PRNG seed; request i depends only on (S, i) (1)
          --connections C         concurrent keep-alive connections (32)
          --phase N               requests per phase; phases cycle through the grammar's focuses (20000)
          --max-rss-mb M          fail if the server's peak RSS passes M MiB (512)
          --kill-rss-mb K         stop the run and kill the server if its RSS passes K MiB (6144; the machine is shared)
          --heavy H               bodies of 2-16 MiB in flight at once (1)
          --timeout-ms T          answer timeout, well-formed requests (15000); broken framing: --raw-timeout-ms (5000)
          --grace-ms G            broken framing: with no answer after G ms the client half-closes (500)
          --out DIR               summary, per-kind table, examples, server log, memory series (./fuzz-out)
          --examples K            example requests kept per (outcome, kind) (5)
          --scenario fuzz|burst|both   what to run (fuzz)
          --burst-connections N   connections per burst (1000); --bursts B (3); --settle-s S seconds after each (15)
          --replay FILE|DIR ...   start a fresh server and send saved example requests (credentials swapped in)
          --only F1,F2            only these grammar families (valid, path, query, form, json, json.big, json.huge, form.huge,
                                  multipart, icon, batch, host.long, headers, oauth.token, oauth.authorize, oauth.appinfo,
                                  upload, misc, raw.chunked, raw.framing; "json*" for every family starting so)
          --keep-data             keep the temporary data folders
        Exit status: 0 if no 500, no stack trace and peak RSS within the limit (burst: every burst settled); 1 otherwise; 2 usage.
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--bin": o.Bin = Path.GetFullPath(Next()); break;
                case "--requests": o.Requests = long.Parse(Next().Replace("_", "").Replace(",", ""), CultureInfo.InvariantCulture); break;
                case "--seed": o.Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--connections": o.Connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--phase": o.Phase = Math.Max(1, long.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--max-rss-mb": o.MaxRssMb = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--timeout-ms": o.TimeoutMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--raw-timeout-ms": o.RawTimeoutMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--grace-ms": o.GraceMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--kill-rss-mb": o.KillRssMb = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--heavy": o.HeavyInFlight = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--out": o.Out = Path.GetFullPath(Next()); break;
                case "--examples": o.ExamplesPerKind = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--scenario": o.Scenario = Next(); break;
                case "--burst": o.Scenario = "burst"; break;
                case "--burst-connections": o.BurstConnections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--bursts": o.Bursts = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--settle-s": o.SettleSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--keep-data": o.KeepData = true; break;
                case "--only": o.Only.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--replay":
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) o.Replay.Add(Path.GetFullPath(args[++i]));
                    break;
                case "-h" or "--help": o.Help = true; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (o.Help) return o;
        if (o.Bin.Length == 0) throw new ArgumentException("--bin is required");
        if (!File.Exists(o.Bin)) throw new ArgumentException($"no such file: {o.Bin}");
        if (o.Scenario is not ("fuzz" or "burst" or "both")) throw new ArgumentException("--scenario takes fuzz, burst or both");
        if (o.Requests < 0 || o.Connections < 1) throw new ArgumentException("--requests and --connections must be positive");
        return o;
    }
}
