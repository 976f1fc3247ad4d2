using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace B24Mail.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode. Reads open pooled connections and run in parallel. Writes are queued to
/// one writer thread, which runs whatever has queued up in a single transaction (one savepoint per write,
/// so one failure does not undo the others) and completes each write only after the commit reached disk.
/// Other processes (the command-line tools) write to the same file; SQLite's lock and busy timeout order them.
/// </summary>
public sealed class SqliteDatabase : IAsyncDisposable
{
    private const int MaxWritesPerCommit = 256;

    private readonly string _connectionString;
    private readonly Channel<IWriteJob> _queue = Channel.CreateUnbounded<IWriteJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;

    public SqliteDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using (var connection = Open())
        {
            Execute(connection, "PRAGMA journal_mode=WAL;");
        }
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "sqlite-writer" };
        _writer.Start();
    }

    public string Path { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // FULL: a commit is on disk before the write is acknowledged.
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return connection;
    }

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = Open();
        return read(connection);
    }

    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write)
    {
        var job = new WriteJob<T>(write);
        if (!_queue.Writer.TryWrite(job)) throw new ObjectDisposedException(nameof(SqliteDatabase));
        return job.Completion.Task;
    }

    public Task WriteAsync(Action<SqliteConnection, SqliteTransaction> write) => WriteAsync((c, t) =>
    {
        write(c, t);
        return true;
    });

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, transaction, sql);
        command.ExecuteNonQuery();
    }

    private void WriterLoop()
    {
        using var connection = Open();
        var batch = new List<IWriteJob>(MaxWritesPerCommit);
        while (true)
        {
            if (!_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) return;
            while (batch.Count < MaxWritesPerCommit && _queue.Reader.TryRead(out var job)) batch.Add(job);
            RunBatch(connection, batch);
            batch.Clear();
        }
    }

    private static void RunBatch(SqliteConnection connection, List<IWriteJob> batch)
    {
        SqliteTransaction transaction;
        try
        {
            transaction = connection.BeginTransaction(deferred: false);
        }
        catch (Exception exception)
        {
            foreach (var job in batch) job.Fail(exception);
            return;
        }
        var succeeded = new List<IWriteJob>(batch.Count);
        using (transaction)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var savepoint = "w" + i;
                transaction.Save(savepoint);
                try
                {
                    batch[i].Run(connection, transaction);
                    transaction.Release(savepoint);
                    succeeded.Add(batch[i]);
                }
                catch (Exception exception)
                {
                    transaction.Rollback(savepoint);
                    transaction.Release(savepoint);
                    batch[i].Fail(exception);
                }
            }
            try
            {
                transaction.Commit();
            }
            catch (Exception exception)
            {
                foreach (var job in succeeded) job.Fail(exception);
                return;
            }
        }
        foreach (var job in succeeded) job.Complete();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.Run(() => _writer.Join());
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private interface IWriteJob
    {
        void Run(SqliteConnection connection, SqliteTransaction transaction);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class WriteJob<T>(Func<SqliteConnection, SqliteTransaction, T> write) : IWriteJob
    {
        private T? _result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = write(connection, transaction);

        public void Complete() => Completion.TrySetResult(_result!);

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
