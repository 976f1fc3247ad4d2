using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// The database's count of committed writes: a sequence every node advances after each commit. A value read
/// at some moment covers every write acknowledged before it, since a write is acknowledged only after its
/// commit and its bump. Reads are shared: a caller that arrives while a read is on the wire waits for the next
/// one, which starts after it arrived, so under load one round trip answers every request of its interval
/// and no caller ever gets a value older than its own arrival.
/// </summary>
internal sealed class ChangeCounter(NpgsqlDataSource source)
{
    internal const string Sequence = "b24mail_changes";
    internal const string BumpSql = $"SELECT nextval('{Sequence}')";
    private const string ReadSql = $"SELECT last_value FROM {Sequence}";

    private readonly Lock _gate = new();
    private bool _reading;
    private TaskCompletionSource<long>? _next;

    /// <summary>Round trips made, for tests that check reads are shared.</summary>
    internal long Reads;

    public Task<long> CurrentAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<long> waiter;
        lock (_gate)
        {
            waiter = _next ??= new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_reading) return waiter.Task.WaitAsync(cancellationToken);
            _reading = true;
            _next = null;
        }
        _ = ReadLoopAsync(waiter);
        return waiter.Task.WaitAsync(cancellationToken);
    }

    private async Task ReadLoopAsync(TaskCompletionSource<long> current)
    {
        while (true)
        {
            try
            {
                Interlocked.Increment(ref Reads);
                await using var command = source.CreateCommand(ReadSql);
                current.SetResult(Convert.ToInt64(await command.ExecuteScalarAsync()));
            }
            catch (Exception exception)
            {
                current.SetException(exception);
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
}
