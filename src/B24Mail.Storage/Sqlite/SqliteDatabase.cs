using System.Collections.Concurrent;
using System.Threading.Channels;
using B24Mail.Rest.Health;
using Microsoft.Data.Sqlite;

namespace B24Mail.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode. Reads run in parallel on pooled sessions; each read sees the last commit,
/// whoever made it (this process or a command-line tool): a session's cache of credential lookups
/// (<see cref="SqliteSession.Cached{T}"/>) is dropped whenever <c>PRAGMA data_version</c> changes.
/// Writes are queued to one writer thread, which runs whatever has queued up in one transaction (a
/// savepoint per write, so one failure does not undo the others) and completes each write only after the
/// commit reached disk. Other processes write to the same file; SQLite's lock and busy timeout order them.
/// Failures of the file itself (full disk, read-only, I/O error) are reported to <see cref="StorageHealth"/>.
/// </summary>
public sealed class SqliteDatabase : IDatabase, B24Mail.Rest.Dispatch.IRequestScope
{
    private const int MaxWritesPerCommit = 256;
    private const string Source = "database";

    /// <summary>
    /// Idle readers kept for the next requests. A burst of connections opens a reader per request in flight;
    /// once it is over, readers beyond this many are closed as they come back, with their page caches. It must
    /// cover the requests in flight under ordinary load (a reader is held while a write waits for its commit):
    /// at 16, 64 connections adding services closed and reopened a connection per request, a quarter of the rate.
    /// </summary>
    internal const int MaxIdleReaders = 64;
    private int _idleReaders;

    private readonly string _connectionString;
    private readonly Channel<IWriteJob> _queue = Channel.CreateUnbounded<IWriteJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentBag<SqliteSession> _readers = new();
    private readonly Thread _writer;
    private volatile bool _disposed;
    private long _writeEpoch;
    private readonly AsyncLocal<SqliteSession?> _requestSession = new();
    private readonly StorageHealth? _health;

    public SqliteDatabase(string path, StorageHealth? health = null)
    {
        _health = health;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // Sessions keep their connections, so the provider's pool has nothing to add.
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        using (var session = OpenSession(writer: true))
        {
            // SQLite quietly opens a file it may not write read-only; then every write would fail, so refuse now.
            if (SQLitePCL.raw.sqlite3_db_readonly(session.Connection.Handle, "main") == 1) throw new IOException($"The database {path} is read-only.");
            session.Execute("PRAGMA journal_mode=WAL");
        }
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "sqlite-writer" };
        _writer.Start();
    }

    public SqlDialect Dialect => SqlDialect.Sqlite;

    private SqliteSession OpenSession(bool writer)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var session = new SqliteSession(connection) { WriteEpoch = () => Interlocked.Read(ref _writeEpoch) };
        session.Execute("PRAGMA busy_timeout=30000");
        if (writer)
        {
            // FULL: a commit is on disk before the write is acknowledged.
            session.Execute("PRAGMA synchronous=FULL");
            session.Execute("PRAGMA foreign_keys=ON");
        }
        return session;
    }

    /// <summary>
    /// Pins one reader session to the current request: its reads share one freshness check, made again
    /// after any write of this process. A write by another process during the request is seen by the next
    /// request, as with any read transaction.
    /// </summary>
    public IDisposable BeginRequest()
    {
        if (_requestSession.Value is not null || _disposed) return NoScope.Instance;
        var session = TakeReader();
        _requestSession.Value = session;
        return new RequestScope(this, session);
    }

    IDisposable B24Mail.Rest.Dispatch.IRequestScope.Begin() => BeginRequest();

    private sealed class RequestScope(SqliteDatabase database, SqliteSession session) : IDisposable
    {
        public void Dispose()
        {
            database._requestSession.Value = null;
            session.EndRead();
            database.ReturnReader(session);
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Runs the read on the calling thread: SQLite answers in-process, so the session's calls complete at once
    /// and the task returned is already complete, unless <paramref name="read"/> itself awaits something else.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<IDbSession, ValueTask<T>> read, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var started = StoreMetrics.Start();
        var pinned = _requestSession.Value;
        var session = pinned ?? TakeReader();
        session.Cancellation = cancellationToken;
        ValueTask<T> pending;
        try
        {
            pending = read(session);
        }
        catch (Exception exception)
        {
            Release(session, pinned, failed: true);
            return exception is OperationCanceledException canceled ? Task.FromCanceled<T>(canceled.CancellationToken.IsCancellationRequested ? canceled.CancellationToken : cancellationToken) : Task.FromException<T>(exception);
        }
        if (!pending.IsCompleted) return Finish(pending, session, pinned, started);
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            Release(session, pinned, failed: false);
            StoreMetrics.Read("sqlite", started);
            return Task.FromResult(result);
        }
        var faulted = pending.AsTask();
        Release(session, pinned, failed: true);
        return faulted;
    }

    private async Task<T> Finish<T>(ValueTask<T> pending, SqliteSession session, SqliteSession? pinned, long started)
    {
        try
        {
            var result = await pending;
            Release(session, pinned, failed: false);
            StoreMetrics.Read("sqlite", started);
            return result;
        }
        catch
        {
            Release(session, pinned, failed: true);
            throw;
        }
    }

    /// <summary>Ends one read: a request's pinned session stays with it; a reader that failed is not reused.</summary>
    private void Release(SqliteSession session, SqliteSession? pinned, bool failed)
    {
        if (pinned is not null)
        {
            // The request's later reads keep the session: only this read's reader and token end.
            pinned.CloseReader();
            pinned.Cancellation = default;
            return;
        }
        if (failed)
        {
            session.Dispose();
            return;
        }
        session.EndRead();
        ReturnReader(session);
    }

    private SqliteSession TakeReader()
    {
        if (_readers.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleReaders);
            return session;
        }
        return OpenSession(writer: false);
    }

    private void ReturnReader(SqliteSession session)
    {
        if (_disposed || Interlocked.Increment(ref _idleReaders) > MaxIdleReaders)
        {
            Interlocked.Decrement(ref _idleReaders);
            session.Dispose();
            return;
        }
        _readers.Add(session);
    }

    /// <summary>Readers waiting in the pool, for tests.</summary>
    internal int IdleReaders => Volatile.Read(ref _idleReaders);

    public Task<T> WriteAsync<T>(Func<IDbSession, ValueTask<T>> write)
    {
        var job = new WriteJob<T>(write);
        if (!_queue.Writer.TryWrite(job)) throw new ObjectDisposedException(nameof(SqliteDatabase));
        return job.Completion.Task;
    }

    private void WriterLoop()
    {
        using var session = OpenSession(writer: true);
        var batch = new List<IWriteJob>(MaxWritesPerCommit);
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxWritesPerCommit && _queue.Reader.TryRead(out var job)) batch.Add(job);
            try
            {
                RunBatch(session, batch);
            }
            catch (Exception exception)
            {
                // Nothing may end this thread while the database is open: every later write would wait forever.
                foreach (var job in batch) job.Fail(exception);
            }
            batch.Clear();
        }
    }

    private void RunBatch(SqliteSession session, List<IWriteJob> batch)
    {
        Exception? storageFailure = null;
        bool Report(Exception exception)
        {
            if (StorageFailures.Condition(exception) is not { } condition) return false;
            _health?.Failed(Source, condition, exception);
            storageFailure ??= exception;
            return true;
        }

        try
        {
            session.Transaction = session.Connection.BeginTransaction(deferred: false);
        }
        catch (Exception exception)
        {
            Report(exception);
            foreach (var job in batch) job.Fail(exception);
            return;
        }
        var succeeded = new List<IWriteJob>(batch.Count);
        // Set when the transaction is gone: SQLite may end it itself on a full disk or an I/O error, or the commit fails.
        Exception? lost = null;
        var transaction = session.Transaction;
        try
        {
            foreach (var job in batch)
            {
                if (lost is not null)
                {
                    job.Fail(lost);
                    continue;
                }
                try
                {
                    session.Execute("SAVEPOINT w");
                    job.Run(session);
                    session.CloseReader();
                    session.Execute("RELEASE w");
                    succeeded.Add(job);
                }
                catch (Exception exception)
                {
                    Report(exception);
                    job.Fail(exception);
                    try
                    {
                        session.CloseReader();
                        session.Execute("ROLLBACK TO w");
                        session.Execute("RELEASE w");
                    }
                    catch (Exception rollbackFailure) when (rollbackFailure is SqliteException or InvalidOperationException)
                    {
                        // No savepoint left to return to: the provider or SQLite has already ended the transaction.
                        lost = exception;
                    }
                }
            }
            try
            {
                if (lost is null)
                {
                    transaction.Commit();
                    Interlocked.Increment(ref _writeEpoch);
                }
            }
            catch (Exception exception)
            {
                Report(exception);
                lost = exception;
            }
            finally
            {
                session.Transaction = null;
            }
            if (lost is not null)
            {
                foreach (var job in succeeded) job.Fail(lost);
                succeeded.Clear();
            }
        }
        finally
        {
            try
            {
                transaction.Dispose();
            }
            catch (Exception disposeFailure) when (disposeFailure is SqliteException or InvalidOperationException)
            {
                // Its rollback finds no transaction when SQLite already ended it.
            }
        }
        // One batch that met the failure does not count as the recovery, whatever else in it committed.
        if (storageFailure is null && succeeded.Count > 0) _health?.Succeeded(Source);
        foreach (var job in succeeded) job.Complete();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        await Task.Run(() => _writer.Join());
        while (_readers.TryTake(out var session)) session.Dispose();
    }

    private interface IWriteJob
    {
        void Run(SqliteSession session);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class WriteJob<T>(Func<IDbSession, ValueTask<T>> write) : IWriteJob
    {
        private T? _result;
        private readonly long _started = StoreMetrics.Start();

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>
        /// Runs on the writer thread, which owns the transaction: the session's calls complete at once, and a write
        /// that awaits anything else holds the writer until it is done (it must, the transaction is open).
        /// </summary>
        public void Run(SqliteSession session)
        {
            var pending = write(session);
            _result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }

        public void Complete()
        {
            StoreMetrics.Write("sqlite", _started);
            Completion.TrySetResult(_result!);
        }

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
