using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// Single-statement writes of concurrent requests, sent together: one batch holds BEGIN, every statement queued
/// while the previous batch was on the wire, COMMIT and the change-count bumps, so many writes share one round
/// trip and one flush of the log, as SQLite's writer shares one transaction. One batch is on the wire at a time,
/// so batches never wait on each other's row locks. If a statement fails, the transaction is rolled back whole and
/// each statement is sent again alone, so only the failing one reports its error.
/// </summary>
internal sealed class GroupCommit(NpgsqlDataSource source, ChangeFeed feed)
{
    /// <summary>More statements than this wait for the next batch: a batch's statements hold their row locks until its commit.</summary>
    private const int MaxStatements = 256;

    private readonly Lock _gate = new();
    private List<Pending> _queued = [];
    private bool _running;

    /// <summary>Batches sent, for tests that check writes are grouped.</summary>
    internal long Batches;

    internal sealed record Pending(string? Group, string Sql, (string Name, object? Value)[] Parameters)
    {
        /// <summary>The statement's result, its group's count after its batch, and when the other nodes know of it (see <see cref="ChangeFeed.SettleAsync"/>).</summary>
        public TaskCompletionSource<(object? Result, long Bump, Task Settled)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public Task<(object? Result, long Bump, Task Settled)> WriteAsync(Pending pending)
    {
        lock (_gate)
        {
            _queued.Add(pending);
            if (_running) return pending.Done.Task;
            _running = true;
        }
        _ = RunAsync();
        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _running = false;
                    return;
                }
                if (_queued.Count <= MaxStatements)
                {
                    batch = _queued;
                    _queued = [];
                }
                else
                {
                    batch = _queued[..MaxStatements];
                    _queued.RemoveRange(0, MaxStatements);
                }
            }
            Interlocked.Increment(ref Batches);
            try
            {
                // The next batch goes out while this one's writers wait for the other nodes.
                var (results, notice, bumps) = await SendAsync(batch);
                var settled = feed.SettleAsync(notice, bumps);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.SetResult((results[i].Result, results[i].Bump, settled));
            }
            catch (RolledBack) when (batch.Count > 1)
            {
                // Nothing of the batch was committed: each statement alone, so only the failing one fails.
                foreach (var pending in batch)
                {
                    try
                    {
                        var (results, notice, bumps) = await SendAsync([pending]);
                        pending.Done.SetResult((results[0].Result, results[0].Bump, feed.SettleAsync(notice, bumps)));
                    }
                    catch (Exception exception)
                    {
                        pending.Done.SetException(Reported(exception));
                    }
                }
            }
            catch (Exception exception)
            {
                foreach (var pending in batch) pending.Done.SetException(Reported(exception));
            }
        }
    }

    /// <summary>
    /// A statement of the batch failed, so PostgreSQL skipped the rest up to the end of the batch, COMMIT included, and
    /// rolled it back whole. A failure after the statements (the bump after COMMIT, its sequence dropped by hand) is
    /// not this: the statements may be committed, and sending them again would apply them twice.
    /// </summary>
    private sealed class RolledBack(PostgresException failure) : Exception(failure.Message, failure);

    /// <summary>What the caller sees: PostgreSQL's own error, as from any other write.</summary>
    private static Exception Reported(Exception exception) => exception is RolledBack ? exception.InnerException! : exception;

    private async Task<((object? Result, long Bump)[] Results, ChangeFeed.Notice? Notice, (string? Group, long Value)[] Bumps)> SendAsync(List<Pending> batch)
    {
        var groups = batch.Select(pending => pending.Group).Distinct().ToArray();
        await using var connection = await source.OpenConnectionAsync();
        await using var command = new NpgsqlBatch(connection);
        command.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        foreach (var pending in batch)
        {
            var statement = new NpgsqlBatchCommand(pending.Sql);
            foreach (var (name, value) in pending.Parameters) statement.Parameters.AddWithValue(name, value ?? DBNull.Value);
            command.BatchCommands.Add(statement);
        }
        // COMMIT completes (the log flushed) before PostgreSQL runs the bumps after it.
        command.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        var notice = feed.NoticeForBatch();
        ChangeFeed.AddBump(command.BatchCommands, groups, notice);
        // Every statement returns rows (see IDatabase.WriteScalarAsync), so result i is statement i's; BEGIN and COMMIT
        // have none. A statement's error arrives as the reader moves to its result: `next` says whose that is.
        var results = new object?[batch.Count];
        var next = 0;
        NpgsqlDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync();
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = await reader.ReadAsync() && !await reader.IsDBNullAsync(0) ? reader.GetValue(0) : null;
                next = i + 1;
                await reader.NextResultAsync();
            }
        }
        catch (PostgresException failure) when (next < batch.Count)
        {
            throw new RolledBack(failure);
        }
        await using var bumpReader = reader;
        await reader.ReadAsync();
        (string? Group, long Value)[] bumps = [.. groups.Select((group, i) => (group, Convert.ToInt64(reader.GetValue(i))))];
        var byGroup = bumps.ToDictionary(bump => bump.Group ?? "", bump => bump.Value);
        return ([.. batch.Select((pending, i) => (results[i], byGroup[pending.Group ?? ""]))], notice, bumps);
    }
}
