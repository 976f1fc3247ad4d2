using System.Diagnostics.Metrics;
using System.Threading.Channels;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Transport;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>
/// The last <see cref="ControlPlaneOptions.JournalSize"/> calls, in a ring: a new call overwrites the oldest, and
/// each entry is bounded (<see cref="JournalCopy"/>, <see cref="RestExchange.MaxBody"/>), so the whole is too.
/// Masking and copying happen on the request's thread (they are cheap for the small calls that matter for
/// throughput); JSON is written only when someone reads. Stream readers each get a bounded queue: a reader that
/// falls behind loses entries (counted), it never holds up a request or grows memory.
/// </summary>
public sealed class RequestJournal : IRestRecorder, IResetWithState
{
    public const int StreamQueue = 256;

    private static readonly Meter Meter = new(RestMetrics.MeterName);
    private static readonly Counter<long> Drops = Meter.CreateCounter<long>("b24mail.journal.dropped", "{entry}", "Journal entries a slow stream reader did not get");

    private readonly JournalEntry?[] _ring;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _lastId;
    private long _dropped;
    private volatile Channel<JournalEntry>[] _readers = [];

    public RequestJournal(ControlPlaneOptions options, TimeProvider time)
    {
        // Off with the control plane too: nobody could read it.
        _ring = new JournalEntry?[options.ControlPlane ? options.JournalSize : 0];
        _time = time;
    }

    public int Size => _ring.Length;

    public bool IsOn => _ring.Length > 0;

    /// <summary>Entries stream readers lost since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Record(RestExchange exchange)
    {
        var copy = new JournalCopy();
        var parameters = exchange.Params is { } p ? copy.Copy(p) : null;
        List<JournalCommand>? commands = null;
        if (exchange.Commands is { } ran)
        {
            commands = new List<JournalCommand>(ran.Count);
            foreach (var command in ran)
            {
                commands.Add(new JournalCommand(Cut(command.Key), Cut(JournalMask.MaskQuery(command.MethodName)), copy.Copy(command.Params), command.Error?.Status ?? 200, command.Error?.Code));
            }
        }
        var caller = exchange.Caller;
        var credential = caller?.Kind switch
        {
            AuthKind.Webhook => "webhook",
            AuthKind.OAuth => "oauth",
            _ => exchange.Credential switch
            {
                RestCredential.Webhook => "webhook",
                RestCredential.Token => "oauth",
                _ => "none",
            },
        };
        long? user = caller?.User.Id ?? (exchange.Credential is RestCredential.Webhook hook && long.TryParse(hook.UserId, out var id) ? id : null);
        var duration = Math.Round(_time.GetElapsedTime(exchange.StartTimestamp).TotalMilliseconds, 3);
        JournalEntry entry;
        lock (_lock)
        {
            var next = ++_lastId;
            // The path is masked when read: a request line is at most a few KB, and splitting it here would cost every call.
            entry = new JournalEntry(next, exchange.Started, exchange.HttpMethod, exchange.Path, exchange.MethodName is { } m ? Cut(m) : null,
                caller?.Portal.Code, credential, user, parameters, exchange.Status, exchange.Error, duration, exchange.Body, exchange.BodyLength, commands);
            _ring[next % _ring.Length] = entry;
        }
        var readers = _readers;
        foreach (var reader in readers)
        {
            if (!reader.Writer.TryWrite(entry))
            {
                Interlocked.Increment(ref _dropped);
                Drops.Add(1);
            }
        }
    }

    /// <summary>Every kept entry, newest first.</summary>
    public List<JournalEntry> Snapshot()
    {
        var entries = new List<JournalEntry>(_ring.Length);
        lock (_lock)
        {
            for (var id = _lastId; id > 0 && id > _lastId - _ring.Length; id--)
            {
                if (_ring[id % _ring.Length] is { } entry && entry.Id == id) entries.Add(entry);
            }
        }
        return entries;
    }

    public void Clear()
    {
        // Ids go on from where they were, so a reader's `since` stays meaningful across a clear.
        lock (_lock) Array.Clear(_ring);
    }

    public Task ResetAsync(CancellationToken cancellationToken)
    {
        Clear();
        return Task.CompletedTask;
    }

    public Channel<JournalEntry> Subscribe()
    {
        var channel = Channel.CreateBounded<JournalEntry>(new BoundedChannelOptions(StreamQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        lock (_lock) _readers = [.. _readers, channel];
        return channel;
    }

    public void Unsubscribe(Channel<JournalEntry> channel)
    {
        lock (_lock) _readers = _readers.Where(r => r != channel).ToArray();
    }

    /// <summary>
    /// A webhook path is <c>/rest/{user}/{secret}/{method}</c>; every segment between the user and the method is
    /// masked, and in a path of two segments the second, so a secret is hidden even where the route is malformed.
    /// </summary>
    public static string MaskPath(string path)
    {
        if (!path.StartsWith("/rest/", StringComparison.OrdinalIgnoreCase)) return Cut(path);
        var segments = path.Split('/');
        var present = new List<int>();
        for (var i = 2; i < segments.Length; i++)
        {
            if (segments[i].Length > 0) present.Add(i);
        }
        if (present.Count >= 2)
        {
            for (var k = 1; k <= Math.Max(1, present.Count - 2); k++) segments[present[k]] = JournalMask.Masked;
        }
        return Cut(string.Join('/', segments));
    }

    private static string Cut(string s) => s.Length > JournalCopy.MaxString ? s[..JournalCopy.MaxString] : s;
}
