using System.Collections.Concurrent;
using System.Text;

namespace B24Mail.Fuzz;

/// <summary>What happened to the requests of one grammar kind.</summary>
public sealed class KindStats
{
    public long Sent, Bytes, Ticks, Answers, S2xx, S3xx, S4xx, S500, Other5xx, Resets, Timeouts, Closed, BrokenAnswers;
}

/// <summary>Counts answers by status and connection failures by kind, and keeps example requests for a developer to replay.</summary>
public sealed class Stats
{
    private readonly long[] _status = new long[1000];
    private readonly ConcurrentDictionary<string, KindStats> _kinds = new();
    private readonly ConcurrentDictionary<string, int> _examples = new();
    private readonly string _examplesDir;
    private readonly int _examplesPerKind;
    private long _resets, _timeouts, _closed, _broken, _requests, _answers, _bytesSent;

    public Stats(string outDir, int examplesPerKind)
    {
        _examplesDir = Path.Combine(outDir, "examples");
        _examplesPerKind = examplesPerKind;
    }

    public long Requests => Interlocked.Read(ref _requests);
    public long Answers => Interlocked.Read(ref _answers);
    public long Resets => Interlocked.Read(ref _resets);
    public long Timeouts => Interlocked.Read(ref _timeouts);
    public long Closed => Interlocked.Read(ref _closed);
    public long BrokenAnswers => Interlocked.Read(ref _broken);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long Status(int code) => Interlocked.Read(ref _status[code]);
    public long Count5xx => Enumerable.Range(500, 100).Sum(Status);

    public IEnumerable<(int Code, long Count)> Statuses() => Enumerable.Range(0, 1000).Select(c => (c, Status(c))).Where(s => s.Item2 > 0);

    public IEnumerable<(string Kind, KindStats Stats)> Kinds() => _kinds.Select(kv => (kv.Key, kv.Value));

    private KindStats Of(string kind) => _kinds.GetOrAdd(kind, _ => new KindStats());

    public void Sent(FuzzRequest request)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytesSent, request.Length);
        var k = Of(request.Kind);
        Interlocked.Increment(ref k.Sent);
        Interlocked.Add(ref k.Bytes, request.Length);
    }

    /// <summary>Time from the request's start to its end (answer, failure or timeout), for the per-kind table.</summary>
    public void Took(FuzzRequest request, long ticks) => Interlocked.Add(ref Of(request.Kind).Ticks, ticks);

    public void Answer(FuzzRequest request, HttpAnswer answer)
    {
        Interlocked.Increment(ref _answers);
        var code = answer.Status is >= 0 and < 1000 ? answer.Status : 0;
        Interlocked.Increment(ref _status[code]);
        var k = Of(request.Kind);
        Interlocked.Increment(ref k.Answers);
        switch (code)
        {
            case >= 200 and < 300: Interlocked.Increment(ref k.S2xx); break;
            case >= 300 and < 400: Interlocked.Increment(ref k.S3xx); break;
            case >= 400 and < 500: Interlocked.Increment(ref k.S4xx); break;
            case 500: Interlocked.Increment(ref k.S500); break;
            // 505 HTTP Version Not Supported is the right answer to HTTP/9.9.
            case > 500 and < 600 and not 505: Interlocked.Increment(ref k.Other5xx); break;
        }
        if (code == 500 || code is > 500 and < 600 and not 505) Keep(code == 500 ? "500" : "5xx", request, answer.Head + "\r\n\r\n" + Encoding.UTF8.GetString(answer.BodyStart));
    }

    public void Reset(FuzzRequest request, string detail)
    {
        Interlocked.Increment(ref _resets);
        Interlocked.Increment(ref Of(request.Kind).Resets);
        // Broken framing may well be reset; a reset of a well-formed request is worth a look.
        if (!request.Fresh) Keep("reset", request, detail);
    }

    public void Timeout(FuzzRequest request)
    {
        Interlocked.Increment(ref _timeouts);
        Interlocked.Increment(ref Of(request.Kind).Timeouts);
        Keep("timeout", request, "no complete answer before the timeout");
    }

    public void ClosedWithoutAnswer(FuzzRequest request)
    {
        Interlocked.Increment(ref _closed);
        Interlocked.Increment(ref Of(request.Kind).Closed);
        if (!request.Fresh) Keep("closed", request, "the connection closed without an answer");
    }

    public void BrokenAnswer(FuzzRequest request, string detail)
    {
        Interlocked.Increment(ref _broken);
        Interlocked.Increment(ref Of(request.Kind).BrokenAnswers);
        Keep("broken-answer", request, detail);
    }

    /// <summary>Writes the request's exact bytes (replayable with --replay) and what came back, a few per (outcome, kind).</summary>
    private void Keep(string outcome, FuzzRequest request, string answer)
    {
        var key = outcome + "/" + request.Kind;
        var n = _examples.AddOrUpdate(key, 1, (_, v) => v + 1);
        var limit = request.Length > 1 << 20 ? Math.Min(2, _examplesPerKind) : _examplesPerKind;
        if (n > limit) return;
        var dir = Path.Combine(_examplesDir, outcome);
        Directory.CreateDirectory(dir);
        var name = $"{Safe(request.Kind)}-{request.Index}";
        File.WriteAllBytes(Path.Combine(dir, name + ".http"), request.ToArray());
        File.WriteAllText(Path.Combine(dir, name + ".answer.txt"), $"kind: {request.Kind}\nindex: {request.Index}\nbytes: {request.Length}\nfresh connection: {request.Fresh}, half-close: {request.HalfClose}\n\n{answer}\n");
    }

    private static string Safe(string s) => string.Concat(s.Select(ch => char.IsLetterOrDigit(ch) || ch is '.' or '-' ? ch : '_'));

    public IReadOnlyDictionary<string, int> ExampleCounts => _examples;
}
