using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace B24Mail.Storage.Sqlite;

/// <summary>
/// An open connection that keeps its commands, so a statement is compiled once per connection rather
/// than once per call. Commands belong to the session: callers must not dispose them.
/// </summary>
public sealed class SqliteSession : IDbSession, IDisposable
{
    /// <summary>What one connection's cache may hold, counted by <see cref="CacheCharge"/>.</summary>
    private const int CacheBudget = 1024 * 1024;
    private int _cacheCost;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object?> _cache = new(StringComparer.Ordinal);
    private long _dataVersion = -1;
    private bool _checkedThisRead;
    private long _writeEpochAtCheck = -1;

    public SqliteSession(SqliteConnection connection)
    {
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>The writer's open transaction; null on a reader.</summary>
    public SqliteTransaction? Transaction { get; internal set; }

    /// <summary>The token of the read being served; writes run with none (see <see cref="IDatabase.WriteAsync{T}"/>).</summary>
    public CancellationToken Cancellation { get; internal set; }

    // The last reader opened: SQLite readers are in-process, so a session has at most one a store still reads from.
    private SqliteDataReader? _reader;

    internal SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        Cancellation.ThrowIfCancellationRequested();
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        command.Transaction = Transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    internal int Execute(string sql, params (string Name, object? Value)[] parameters) => Command(sql, parameters).ExecuteNonQuery();

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters) => Command(sql, parameters).ExecuteScalar() is var value && value is DBNull ? null : value;

    public ValueTask<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters) => new(Execute(sql, parameters));

    public ValueTask<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters) => new(Scalar(sql, parameters));

    public ValueTask<DbDataReader> ReaderAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        CloseReader();
        _reader = Command(sql, parameters).ExecuteReader();
        return new(_reader);
    }

    /// <summary>Closes a reader a store left open, so the cached command can run again on the next call.</summary>
    internal void CloseReader()
    {
        _reader?.Dispose();
        _reader = null;
    }

    /// <summary>SQLite's data version moves with any commit; there is no finer mark to keep.</summary>
    public void KeepCaches()
    {
    }

    /// <inheritdoc cref="KeepCaches"/>
    public void Changes(string tables)
    {
    }

    /// <summary>SQLite has one writer at a time (this process's writer thread, or another process holding the lock), so there is nothing to add.</summary>
    public ValueTask LockAsync(long key) => ValueTask.CompletedTask;

    /// <summary>
    /// A query result kept on this connection for as long as nothing is committed to the database.
    /// SQLite's <c>PRAGMA data_version</c> changes when any other connection, in this process or another,
    /// commits; it is checked once per read, so a cached value is never older than the read that returns it.
    /// Values must be immutable.
    /// </summary>
    public async ValueTask<T> CachedAsync<T>(string tables, string key, Func<IDbSession, ValueTask<T>> load)
    {
        // Within one read (or one request's scope) the check is done once, and again after any write of this process.
        var epoch = WriteEpoch?.Invoke() ?? 0;
        if (!_checkedThisRead || epoch != _writeEpochAtCheck)
        {
            _writeEpochAtCheck = epoch;
            var version = (long)Scalar("PRAGMA data_version")!;
            if (version != _dataVersion)
            {
                _cache.Clear();
                _cacheCost = 0;
                _dataVersion = version;
            }
            _checkedThisRead = true;
        }
        if (_cache.TryGetValue(key, out var cached)) return (T)cached!;
        var value = await load(this);
        // A miss is not kept: a client sending made-up credentials would otherwise fill the cache with them.
        if (value is null) return value;
        // A list (a portal's directory) is charged per row: a large one is not worth its memory on every connection.
        var cost = CacheCharge.Of(key, value);
        if (_cacheCost + cost > CacheBudget)
        {
            _cache.Clear();
            _cacheCost = 0;
        }
        if (cost <= CacheBudget)
        {
            _cache[key] = value;
            _cacheCost += cost;
        }
        return value;
    }

    /// <summary>This process's count of committed write batches, so a request's reads see its own writes.</summary>
    internal Func<long>? WriteEpoch { get; set; }

    /// <summary>Entries and charged size of the read cache, for tests.</summary>
    internal (int Entries, int Cost) CacheSize => (_cache.Count, _cacheCost);

    /// <summary>Ends one read: the next <see cref="Cached{T}"/> checks the data version again.</summary>
    internal void EndRead()
    {
        CloseReader();
        Cancellation = default;
        _checkedThisRead = false;
    }

    public void Dispose()
    {
        CloseReader();
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        Connection.Dispose();
    }
}
