using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// The database's counts of committed writes: sequences every node advances right after each commit, one for
/// writes that may have changed anything and one per group of tables for writes that said which group they
/// changed. A value read at some moment covers every write acknowledged before it, since a write is acknowledged
/// only after its commit and its bump. Reads are shared: a caller that arrives while a read is on the wire waits
/// for the next one, which starts after it arrived, so under load one round trip answers every request of its
/// interval and no caller ever gets a value older than its own arrival.
/// </summary>
internal sealed partial class ChangeCounter(NpgsqlDataSource source)
{
    private const string AllSequence = "b24mail_changes";

    private readonly Lock _gate = new();
    private bool _reading;
    private TaskCompletionSource<ChangeCount>? _next;
    private CountQuery _query = CountQuery.For([]);
    // The newest counts this node knows to be complete: every read's, raised by the bumps of this node's writes and
    // of the writes other nodes' notices told of. While the change feed vouches for them (see ChangeFeed), a request
    // takes these instead of reading.
    private ChangeCount? _known;

    /// <summary>Set by the change feed: true while every write acknowledged anywhere is already in <see cref="_known"/>.</summary>
    internal Func<bool> Vouched { get; set; } = static () => false;

    /// <summary>Round trips made, for tests that check reads are shared.</summary>
    internal long Reads;

    /// <summary>How long a read that would follow another at once may give way to the node's queued work (see <see cref="ReadLoopAsync"/>).</summary>
    private static readonly TimeSpan GiveWayAtMost = TimeSpan.FromMicroseconds(500);

    public static string SequenceOf(string? group) => group is null ? AllSequence : $"{AllSequence}_{group}";

    /// <summary>How every <see cref="BumpSql"/> starts, so a failure can be told to be the bump's.</summary>
    internal const string BumpPrefix = "SELECT nextval(";

    /// <summary>Advances the counts of <paramref name="groups"/> (null: the one every group depends on), one column each.</summary>
    public static string BumpSql(IEnumerable<string?> groups) => "SELECT " + string.Join(", ", groups.Select(group => $"nextval('{SequenceOf(group)}')"));

    /// <summary>A group's name becomes part of a sequence's name, so only plain names are taken.</summary>
    public static string CheckGroup(string group) =>
        GroupName().IsMatch(group) ? group : throw new ArgumentException($"A group of tables is named with a-z and '_', up to 40 characters: '{group}'.", nameof(group));

    /// <summary>Counts <paramref name="group"/> in the reads that start from now on (its sequence must exist).</summary>
    public void Track(string group)
    {
        // Every request's first cached read comes here; after a group's first time there is nothing to do or lock.
        if (Volatile.Read(ref _query).Groups.Contains(group)) return;
        lock (_gate)
        {
            if (!_query.Groups.Contains(group)) _query = CountQuery.For([.. _query.Groups, group]);
        }
    }

    /// <summary>
    /// Counts covering every write acknowledged before this call: this node's known counts while the change feed
    /// vouches for them and they count <paramref name="group"/>, otherwise a read that starts after the call.
    /// </summary>
    public ValueTask<ChangeCount> CurrentAsync(string group, CancellationToken cancellationToken)
    {
        // Every request's first cached read comes here: the vouched answer allocates nothing.
        if (Volatile.Read(ref _known) is { } known && known.Has(group) && Vouched())
        {
            return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<ChangeCount>(cancellationToken) : ValueTask.FromResult(known);
        }
        return new ValueTask<ChangeCount>(ReadAfterAsync(cancellationToken));
    }

    /// <summary>A committed write (this node's, or one a notice told of) bumped <paramref name="group"/> (null: all) to <paramref name="value"/>.</summary>
    public void Observe(string? group, long value)
    {
        // A group the known counts lack stays out: other nodes' writes of it may be newer, and were never read here.
        while (Volatile.Read(ref _known) is { } known && (group is null || known.Has(group)))
        {
            if (Interlocked.CompareExchange(ref _known, known.After(group, value), known) == known) return;
        }
    }

    /// <summary>Counts read by a round trip that starts after this call (shared with the callers around it).</summary>
    public Task<ChangeCount> ReadAfterAsync(CancellationToken cancellationToken)
    {
        // A read can finish before its caller starts waiting, and WaitAsync hands back a finished task whatever the token says.
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<ChangeCount>(cancellationToken);
        TaskCompletionSource<ChangeCount> waiter;
        lock (_gate)
        {
            waiter = _next ??= new TaskCompletionSource<ChangeCount>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_reading) return waiter.Task.WaitAsync(cancellationToken);
            _reading = true;
            _next = null;
        }
        _ = ReadLoopAsync(waiter);
        return waiter.Task.WaitAsync(cancellationToken);
    }

    private async Task ReadLoopAsync(TaskCompletionSource<ChangeCount> current)
    {
        while (true)
        {
            try
            {
                current.SetResult(await ReadAsync());
            }
            catch (Exception exception)
            {
                current.SetException(exception);
            }
            // Under load the next read has callers waiting the moment this one ends. Work already queued on this
            // node (the callers just answered, requests just received) goes first, for at most GiveWayAtMost: the
            // requests in it that ask for the count then share the next read instead of each waiting for one more.
            // That halves the reads under load (about 4,000 to 2,000 a second on one node under bench/run's get),
            // and the CPU they cost on both sides goes to requests; with nothing queued, as under light load, the
            // next read starts at once.
            var since = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _next) is not null && ThreadPool.PendingWorkItemCount > 0 && Stopwatch.GetElapsedTime(since) < GiveWayAtMost)
            {
                await Task.Yield();
            }
            lock (_gate)
            {
                if (_next is null)
                {
                    _reading = false;
                    return;
                }
                current = _next;
                _next = null;
            }
        }
    }

    private async Task<ChangeCount> ReadAsync()
    {
        Interlocked.Increment(ref Reads);
        var query = Volatile.Read(ref _query);
        await using var command = source.CreateCommand(query.Sql);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var counts = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < query.Groups.Length; i++) counts[query.Groups[i]] = reader.GetInt64(i + 1);
        var read = new ChangeCount(reader.GetInt64(0), counts.ToImmutable());
        while (true)
        {
            var known = Volatile.Read(ref _known);
            if (Interlocked.CompareExchange(ref _known, known is null ? read : known.Max(read), known) == known) return read;
        }
    }

    /// <summary>The groups a read counts and its text, made again only when a group is first tracked, so each read's text is the prepared one.</summary>
    private sealed record CountQuery(string[] Groups, string Sql)
    {
        // pg_sequence_last_value is NULL before a sequence's first nextval (whose value is 1), and it reads the
        // sequence without the executor's scan of it that SELECT last_value FROM seq sets up.
        public static CountQuery For(string[] groups) => new(groups,
            "SELECT " + string.Join(", ", groups.Prepend(null).Select(group => $"COALESCE(pg_sequence_last_value('{SequenceOf(group)}'::regclass), 0)")));
    }

    [GeneratedRegex("^[a-z_]{1,40}$")]
    private static partial Regex GroupName();
}
