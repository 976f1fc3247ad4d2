using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// Lets a node answer a request's cached reads from the counts it already knows instead of reading them, without
/// giving up exactness across nodes. Each node holds a lease in <c>b24mail_nodes</c>, renewed every
/// <see cref="Renewal"/> on a connection of its own that listens on one channel. A write that bumped a count
/// notifies the channel after its bump, in the same round trip, with the counts the bump set, and is acknowledged to
/// its caller only once every other node whose lease holds has answered that it took those counts in (so what it
/// knows covers the write), or its lease has run out. A node vouches for what it knows only while its own lease holds, by its own
/// clock and with a margin, so a node that stopped answering has stopped vouching before writers stop waiting for
/// it; and only once it has been registered for longer than a writer keeps its list of live nodes, followed by a read
/// of the counts, since a writer that did not list it yet did not wait for it and that read covers its write. A node
/// that loses its channel may have missed notices: it stops vouching at once, leaves, and comes back as a new node.
/// With no other node listed, a write notifies nobody and waits for nothing. Intervals are measured with the
/// monotonic <see cref="Stopwatch"/>, not <see cref="TimeProvider"/>: a test that moves the portal's clock must not
/// end leases.
/// </summary>
internal sealed partial class ChangeFeed(NpgsqlDataSource listenSource, NpgsqlDataSource source, ChangeCounter counter, ILogger? logger = null) : IAsyncDisposable
{
    private const string Channel = "b24mail_feed";
    internal const string Table = "b24mail_nodes";
    internal const string ApplicationName = "b24mail change feed";

    internal static readonly TimeSpan Renewal = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a renewal holds in the database, from when the database ran it.</summary>
    internal static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    /// <summary>A node stops vouching this long before its lease ends as it measures it from sending the renewal (clocks drift, threads stall).</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    /// <summary>The oldest list of live nodes a writer decides with; older, it reads the list again.</summary>
    private static readonly TimeSpan ListAtMost = TimeSpan.FromSeconds(1);

    /// <summary>A new node waits this long after registering before it reads the counts and starts vouching.</summary>
    internal static readonly TimeSpan Settle = ListAtMost + Margin;

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _listening;
    private Task? _acking;

    private string _id = NewId();
    private long _notices;
    private long _vouchFrom = long.MaxValue;
    private long _leaseEnds;
    private TaskCompletionSource _listens = NewSignal();
    private LiveNodes? _live;
    private TaskCompletionSource _changed = NewSignal();
    private readonly Dictionary<string, long> _acks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _left = new(StringComparer.Ordinal);
    private Dictionary<string, long> _toAck = new(StringComparer.Ordinal);
    private TaskCompletionSource _ackDue = NewSignal();
    private long _heard;
    // Stopwatch timestamps (0: none) of the oldest notice not yet taken up for an answer, and of the one being answered.
    private long _unansweredSince;
    private long _answeringSince;

    /// <summary>A notice heard and not answered for this long stops the node's renewals (its lease then runs out).</summary>
    private static readonly TimeSpan AnswerAtMost = Lease / 2;

    /// <summary>Notices this node answered, and waits for other nodes' answers that timed out, for tests.</summary>
    internal long AcksSent;
    internal long Resent;

    /// <summary>A write's notice: node <see cref="Writer"/>'s <see cref="Number"/>th. Its notification also carries the counts the write's bump set.</summary>
    internal sealed record Notice(string Writer, long Number)
    {
        public string Header => $"c {Writer} {Number}";

        public string Payload(IEnumerable<(string? Group, long Value)> bumps) => string.Join(' ', bumps.Select(bump => $"{GroupWord(bump.Group)}={bump.Value}").Prepend(Header));
    }

    /// <summary>How a notification names a group; "*" is the count every group depends on.</summary>
    private static string GroupWord(string? group) => group ?? "*";

    /// <summary>Other nodes whose leases held when the list was read (sent at <see cref="ReadAt"/>, a Stopwatch timestamp).</summary>
    private sealed record LiveNodes(long ReadAt, string[] Others);

    public bool Vouching
    {
        get
        {
            var now = Stopwatch.GetTimestamp();
            return now >= Volatile.Read(ref _vouchFrom) && now < Volatile.Read(ref _leaseEnds);
        }
    }

    /// <summary>This node's name in the list while it holds its current lease, for tests.</summary>
    internal string Id => Volatile.Read(ref _id);

    /// <summary>Starts listening and renewing, once; a node that never touches the database never connects.</summary>
    public void Start()
    {
        if (Volatile.Read(ref _listening) is not null) return;
        lock (_gate)
        {
            if (_listening is not null || _stop.IsCancellationRequested) return;
            _acking = Task.Run(AckAsync);
            _listening = Task.Run(ListenAsync);
        }
    }

    /// <summary>The notice to end a write's batch with, when other nodes are listed (the write still settles with <see cref="SettleAsync"/>).</summary>
    public Notice? NoticeForBatch() =>
        _listens.Task.IsCompletedSuccessfully && Volatile.Read(ref _live) is { Others.Length: > 0 }
            ? new Notice(Volatile.Read(ref _id), Interlocked.Increment(ref _notices))
            : null;

    /// <summary>
    /// The bump of <paramref name="groups"/>, and with a notice its notification carrying the values the bump set:
    /// in a transaction of their own that does not wait for the log (a notification needs a transaction id, and its
    /// durability is the write's, already flushed), so the notification is sent when the bump is visible.
    /// </summary>
    public static void AddBump(NpgsqlBatchCommandCollection commands, string?[] groups, Notice? notice)
    {
        var bump = new NpgsqlBatchCommand(ChangeCounter.BumpSql(groups));
        if (notice is null)
        {
            commands.Add(bump);
            return;
        }
        commands.Add(new NpgsqlBatchCommand("BEGIN"));
        commands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO off"));
        commands.Add(bump);
        var values = string.Concat(groups.Select(group => $", '{GroupWord(group)}=' || currval('{ChangeCounter.SequenceOf(group)}')"));
        commands.Add(new NpgsqlBatchCommand($"SELECT 1 FROM pg_notify('{Channel}', concat_ws(' ', $1{values}))") { Parameters = { new() { Value = notice.Header } } });
        commands.Add(new NpgsqlBatchCommand("COMMIT"));
    }

    /// <summary>
    /// Returns once every other node listed as live has taken in the counts this write's bump set
    /// (<paramref name="bumps"/>), or left, or let its lease run out. <paramref name="sent"/> is the notice the write's
    /// batch carried, if any.
    /// </summary>
    public async Task SettleAsync(Notice? sent, (string? Group, long Value)[] bumps)
    {
        Start();
        var bumped = Stopwatch.GetTimestamp();
        var waitFor = (await ListAsync()).Others;
        if (waitFor.Length == 0) return;
        // Answers come on this node's channel. One that cannot listen (behind a pooler that keeps no session) while
        // others can would wait for ever: the write is reported failed instead, though it is committed.
        await _listens.Task.WaitAsync(Lease * 2, _stop.Token);
        var notice = sent;
        if (notice is null || notice.Writer != Id) notice = await NotifyAsync(bumps);
        var resendAt = Stopwatch.GetTimestamp() + Ticks(Renewal);
        while (true)
        {
            _stop.Token.ThrowIfCancellationRequested();
            var changed = Volatile.Read(ref _changed).Task;
            waitFor = Unanswered(waitFor, notice, bumped);
            if (waitFor.Length == 0) return;
            var left = resendAt - Stopwatch.GetTimestamp();
            if (left > 0)
            {
                await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency), _stop.Token));
                continue;
            }
            // Quiet for a renewal: a node may have lost its lease (the fresh list drops it) or a notice or answer its
            // channel (the notice again; a node answers the newest notice of each writer it heard).
            await ListAsync();
            Interlocked.Increment(ref Resent);
            if (notice.Writer == Id) await SendAsync(notice.Payload(bumps));
            else notice = await NotifyAsync(bumps);
            resendAt = Stopwatch.GetTimestamp() + Ticks(Renewal);
        }
    }

    /// <summary>The nodes still to answer: not gone (left, or missing from a list read after the bump) and not past the notice.</summary>
    private string[] Unanswered(string[] nodes, Notice notice, long bumped)
    {
        var live = Volatile.Read(ref _live);
        lock (_gate)
        {
            return [.. nodes.Where(node =>
                !_left.Contains(node)
                && !(live is not null && live.ReadAt > bumped && !live.Others.Contains(node))
                && (!_acks.TryGetValue(node + " " + notice.Writer, out var answered) || answered < notice.Number))];
        }
    }

    private async Task<Notice> NotifyAsync((string? Group, long Value)[] bumps)
    {
        var notice = new Notice(Id, Interlocked.Increment(ref _notices));
        await SendAsync(notice.Payload(bumps));
        return notice;
    }

    /// <summary>The list of other live nodes, read again if it is older than <see cref="ListAtMost"/>.</summary>
    private async ValueTask<LiveNodes> ListAsync()
    {
        if (Volatile.Read(ref _live) is { } live && Stopwatch.GetElapsedTime(live.ReadAt) < ListAtMost) return live;
        var readAt = Stopwatch.GetTimestamp();
        string[] others;
        try
        {
            await using var command = source.CreateCommand(OthersSql);
            command.Parameters.AddWithValue(Id);
            await using var reader = await command.ExecuteReaderAsync();
            others = await ReadIdsAsync(reader);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            others = []; // no node has ever listed itself on this database
        }
        var fresh = new LiveNodes(readAt, others);
        Publish(fresh);
        return fresh;
    }

    private const string OthersSql = $"SELECT id FROM {Table} WHERE lease_until > now() AND id <> $1";

    private static async Task<string[]> ReadIdsAsync(NpgsqlDataReader reader)
    {
        var ids = new List<string>();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return [.. ids];
    }

    private void Publish(LiveNodes live)
    {
        while (Volatile.Read(ref _live) is var current && (current is null || current.ReadAt < live.ReadAt))
        {
            if (Interlocked.CompareExchange(ref _live, live, current) == current) break;
        }
        Signal();
    }

    /// <summary>Answers from and departures of nodes no longer listed are of no more use (writers drop those nodes with the list).</summary>
    private void Forget(string[] live)
    {
        lock (_gate)
        {
            _left.RemoveWhere(node => !live.Contains(node));
            foreach (var key in _acks.Keys.Where(key => !live.Contains(key[..key.IndexOf(' ')])).ToList()) _acks.Remove(key);
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private async Task ListenAsync()
    {
        var backoff = Renewal;
        var failing = false;
        while (!_stop.IsCancellationRequested)
        {
            var id = NewId();
            Volatile.Write(ref _id, id);
            try
            {
                await using var connection = await listenSource.OpenConnectionAsync(_stop.Token);
                connection.Notification += (_, message) => Received(message.Payload);
                await ExecuteAsync(connection, "SET synchronous_commit TO off");
                await MakeTableAsync(connection);
                await ExecuteAsync(connection, $"LISTEN {Channel}");
                // Listed only once it has heard itself: behind a pooler that keeps no session (PgBouncer's transaction
                // mode) notices never arrive, and a listed node that cannot hear would hold up every writer.
                Volatile.Write(ref _heard, 0);
                long pinged = 1;
                await using (var ping = new NpgsqlBatch(connection) { BatchCommands = { Notification(Ping(id, pinged)) } })
                {
                    await ping.ExecuteNonQueryAsync(_stop.Token);
                }
                await WaitAsync(connection, Stopwatch.GetTimestamp() + Ticks(Lease), () => Volatile.Read(ref _heard) >= pinged);
                if (Volatile.Read(ref _heard) < pinged) throw new TimeoutException("The change feed does not hear its own notices.");
                _listens.TrySetResult();
                long settleAt = 0;
                var renewed = Stopwatch.GetTimestamp();
                while (true)
                {
                    var sent = Stopwatch.GetTimestamp();
                    // Renewed only while it hears its pings and answers notices in time: a node that stops doing either
                    // lets its lease run out, so writers stop waiting for it, and it stops vouching.
                    if (Volatile.Read(ref _heard) >= pinged && !AnswersOverdue(sent))
                    {
                        var lapsed = sent >= Volatile.Read(ref _leaseEnds);
                        // Stop vouching before the new lease is in place: what is known may lack writes that gave up on us.
                        if (lapsed) Volatile.Write(ref _vouchFrom, long.MaxValue);
                        var others = await RenewAsync(connection, id, Ping(id, ++pinged));
                        renewed = sent;
                        Volatile.Write(ref _leaseEnds, sent + Ticks(Lease - Margin));
                        Publish(new LiveNodes(sent, others));
                        Forget(others);
                        if (lapsed) settleAt = Stopwatch.GetTimestamp() + Ticks(Settle);
                        if (Volatile.Read(ref _vouchFrom) == long.MaxValue && Stopwatch.GetTimestamp() >= settleAt)
                        {
                            await counter.ReadAfterAsync(_stop.Token);
                            Volatile.Write(ref _vouchFrom, Stopwatch.GetTimestamp());
                            if (logger is not null) LogVouching(logger, id, others.Length);
                            failing = false;
                        }
                        backoff = Renewal;
                    }
                    else if (sent - renewed > Ticks(Lease))
                    {
                        throw new TimeoutException("The change feed stopped hearing its own notices or answering others'.");
                    }
                    await WaitAsync(connection, sent + Ticks(Renewal), static () => false);
                }
            }
            catch (Exception exception) when (!_stop.IsCancellationRequested)
            {
                // Said once per run of failures: a node that cannot listen retries every few seconds.
                if (!failing && logger is not null) LogLost(logger, exception, id);
                failing = true;
                // Notices may have been missed: stop vouching, leave, and list ourselves again under a new name.
                Volatile.Write(ref _vouchFrom, long.MaxValue);
                Volatile.Write(ref _leaseEnds, 0);
                if (_listens.Task.IsCompleted) _listens = NewSignal();
                await LeaveAsync(id);
                try
                {
                    await Task.Delay(backoff, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Hands notices to <see cref="Received"/> until <paramref name="until"/> (a Stopwatch timestamp) or <paramref name="done"/>.</summary>
    private async Task WaitAsync(NpgsqlConnection connection, long until, Func<bool> done)
    {
        for (long left; !done() && (left = until - Stopwatch.GetTimestamp()) > 0;)
        {
            // Whole milliseconds, at least one: Npgsql takes a timeout of 0 to mean none.
            await connection.WaitAsync((int)Math.Ceiling(left * 1000.0 / Stopwatch.Frequency), _stop.Token);
        }
    }

    private static string Ping(string id, long number) => $"p {id} {number}";

    /// <summary>Whether a notice heard has waited too long for its answer (its answer is stuck or failing).</summary>
    private bool AnswersOverdue(long now)
    {
        lock (_gate)
        {
            return (_unansweredSince != 0 && now - _unansweredSince > Ticks(AnswerAtMost))
                || (_answeringSince != 0 && now - _answeringSince > Ticks(AnswerAtMost));
        }
    }

    /// <summary>Renews this node's lease, drops leases long over, lists the other live nodes and pings itself, in one round trip.</summary>
    private static async Task<string[]> RenewAsync(NpgsqlConnection connection, string id, string ping)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new($"INSERT INTO {Table} (id, lease_until) VALUES ($1, now() + make_interval(secs => $2)) ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until")
                {
                    Parameters = { new() { Value = id }, new() { Value = Lease.TotalSeconds } },
                },
                new($"DELETE FROM {Table} WHERE lease_until < now() - interval '1 minute'"),
                new(OthersSql) { Parameters = { new() { Value = id } } },
                Notification(ping),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync();
        var others = await ReadIdsAsync(reader);
        // The ping's own row follows.
        await reader.NextResultAsync();
        return others;
    }

    /// <summary>
    /// The list is the database layer's own, as the count sequences are (see PostgresDatabase.EnsureSequencesAsync),
    /// so no module's schema history makes it; nodes that race on it see a unique violation, which means another made it.
    /// </summary>
    private static async Task MakeTableAsync(NpgsqlConnection connection)
    {
        try
        {
            await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS {Table} (id TEXT PRIMARY KEY, lease_until TIMESTAMPTZ NOT NULL)");
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs on the listening connection's reader: notes what arrived and wakes who waits for it.</summary>
    private void Received(string payload)
    {
        var parts = payload.Split(' ');
        var me = Id;
        switch (parts)
        {
            case ["c", var writer, var number, .. var values] when writer != me && long.TryParse(number, out var n):
                // The counts the write's bump set were assigned after it committed: what is known may take them at once
                // (only for counts it already has: see ChangeCounter.Observe), and the answer needs no read.
                foreach (var value in values)
                {
                    if (value.Split('=') is [var group, var count] && long.TryParse(count, out var bumped)) counter.Observe(group == "*" ? null : group, bumped);
                }
                lock (_gate)
                {
                    _toAck[writer] = Math.Max(_toAck.GetValueOrDefault(writer), n);
                    if (_unansweredSince == 0) _unansweredSince = Stopwatch.GetTimestamp();
                }
                _ackDue.TrySetResult();
                break;
            case ["p", var node, var number] when node == me && long.TryParse(number, out var n):
                if (n > Volatile.Read(ref _heard)) Volatile.Write(ref _heard, n);
                break;
            case ["a", var node, var answers] when node != me:
                lock (_gate)
                {
                    foreach (var answer in answers.Split(','))
                    {
                        // Only answers to this node's notices are kept: nobody else waits here.
                        if (answer.Split(':') is [var writer, var number] && writer == me && long.TryParse(number, out var n))
                        {
                            _acks[node + " " + writer] = Math.Max(_acks.GetValueOrDefault(node + " " + writer), n);
                        }
                    }
                }
                Signal();
                break;
            case ["l", var node]:
                lock (_gate) _left.Add(node);
                Signal();
                break;
        }
    }

    /// <summary>Answers the notices heard (their counts already taken in by <see cref="Received"/>): one notification naming each writer's newest.</summary>
    private async Task AckAsync()
    {
        while (true)
        {
            try
            {
                await _ackDue.Task.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Dictionary<string, long> due;
            lock (_gate)
            {
                _ackDue = NewSignal();
                due = _toAck;
                _toAck = new(StringComparer.Ordinal);
                _answeringSince = _unansweredSince;
                _unansweredSince = 0;
            }
            if (due.Count == 0) continue;
            try
            {
                await SendAsync($"a {Id} " + string.Join(',', due.Select(pair => $"{pair.Key}:{pair.Value}")));
                Interlocked.Increment(ref AcksSent);
                lock (_gate) _answeringSince = 0;
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                lock (_gate)
                {
                    foreach (var (writer, number) in due) _toAck[writer] = Math.Max(_toAck.GetValueOrDefault(writer), number);
                    if (_unansweredSince == 0 || _answeringSince < _unansweredSince) _unansweredSince = _answeringSince;
                    _answeringSince = 0;
                }
                try
                {
                    await Task.Delay(Renewal, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                _ackDue.TrySetResult();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task SendAsync(string payload)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands = { new("BEGIN"), new("SET LOCAL synchronous_commit TO off"), Notification(payload), new("COMMIT") },
        };
        await batch.ExecuteNonQueryAsync();
    }

    private static NpgsqlBatchCommand Notification(string payload) =>
        new($"SELECT 1 FROM pg_notify('{Channel}', $1)") { Parameters = { new() { Value = payload } } };

    /// <summary>Leaves the list and tells the writers waiting for this node's answers (a failure only leaves the lease to run out).</summary>
    private async Task LeaveAsync(string id)
    {
        try
        {
            await using var connection = await source.OpenConnectionAsync();
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new("BEGIN"), new("SET LOCAL synchronous_commit TO off"),
                    new($"DELETE FROM {Table} WHERE id = $1") { Parameters = { new() { Value = id } } },
                    Notification("l " + id), new("COMMIT"),
                },
            };
            await batch.ExecuteNonQueryAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? listening, acking;
        lock (_gate)
        {
            // The host may dispose the database once per service it is registered as.
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            (listening, acking) = (_listening, _acking);
        }
        if (listening is null) return;
        await listening;
        await acking!;
        await LeaveAsync(Id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Change feed: node {Node} answers cached reads from the counts it knows ({Others} other nodes listed).")]
    private static partial void LogVouching(ILogger logger, string node, int others);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed: node {Node} lost its channel or could not listen; until it is back it reads the change counts per request, and other nodes stop waiting for it within 3 s.")]
    private static partial void LogLost(ILogger logger, Exception exception, string node);

    private static string NewId() => Guid.NewGuid().ToString("N")[..16];

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
