using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Health;
using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// PostgreSQL through Npgsql's pooled data source, every call awaited. Writes run each in their own transaction,
/// and PostgreSQL groups their commits. Several nodes can share one database: reads marked cacheable are kept per
/// node (<see cref="NodeCache"/>) only for as long as the database's count of committed writes
/// (<see cref="ChangeCounter"/>) has not moved, and that count is read once per request, after the request
/// arrived, so a request sees every write any node acknowledged before it. Writes that fail because of the
/// server itself (full disk, read-only, unreachable) are reported to <see cref="StorageHealth"/>.
/// </summary>
public sealed class PostgresDatabase : IDatabase, IRequestScope
{
    /// <summary>
    /// Connections per node for calls when the connection string does not say (each node has one more, its own,
    /// for reading the change count). Npgsql's own default, 100, is all of
    /// PostgreSQL's default max_connections, so two nodes could not both fill their pools. With 20, four
    /// nodes take 80 of the 97 connections a default server gives ordinary users (3 are kept for superusers),
    /// leaving room for administrators, backups and commands run beside the servers.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    private const string Source = "database";

    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _counterSource;
    private readonly StorageHealth? _health;
    private readonly ChangeCounter _counter;
    private readonly NodeCache _cache = new();
    private readonly AsyncLocal<RequestVersion?> _request = new();
    private Task? _counterMade;

    public PostgresDatabase(string connectionString, StorageHealth? health = null)
    {
        _health = health;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Keys lists only what the string set (under the canonical name, whatever synonym was written).
        if (!builder.Keys.Cast<string>().Contains("Maximum Pool Size", StringComparer.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = Math.Max(DefaultMaxPoolSize, builder.MinPoolSize);
        }
        // The stores repeat a small set of statements: let Npgsql prepare them once per connection.
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        builder.AutoPrepareMinUsages = 2;
        // Sessions change no connection state, so a pooled connection needs no DISCARD ALL when it returns.
        builder.NoResetOnClose = true;
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
        // The count has a connection of its own: a read that holds a pooled connection may wait for the count,
        // and with the pool exhausted by such reads the count could not be read from it.
        builder.MaxPoolSize = 1;
        builder.MinPoolSize = 0;
        _counterSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _counter = new ChangeCounter(_counterSource);
    }

    public SqlDialect Dialect => SqlDialect.Postgres;

    /// <summary>The pool size the data source was built with, for tests.</summary>
    internal int MaxPoolSize => new NpgsqlConnectionStringBuilder(_source.ConnectionString).MaxPoolSize;

    /// <summary>Round trips spent reading the change count, for tests.</summary>
    internal long CounterReads => Interlocked.Read(ref _counter.Reads);

    internal ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _source.OpenConnectionAsync(cancellationToken);

    public async Task<T> ReadAsync<T>(Func<IDbSession, ValueTask<T>> read, CancellationToken cancellationToken = default)
    {
        var started = StoreMetrics.Start();
        await using var session = new PostgresSession(this, null, null, cancellationToken);
        var result = await read(session);
        StoreMetrics.Read("postgres", started);
        return result;
    }

    public async Task<T> WriteAsync<T>(Func<IDbSession, ValueTask<T>> write)
    {
        T result;
        var started = StoreMetrics.Start();
        try
        {
            await EnsureCounterAsync();
            await using var connection = await _source.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            bool keepsCaches;
            await using (var session = new PostgresSession(this, connection, transaction, CancellationToken.None))
            {
                result = await write(session);
                keepsCaches = session.KeepsCaches;
            }
            if (keepsCaches)
            {
                await transaction.CommitAsync();
            }
            else
            {
                // The bump follows the commit in the same round trip: PostgreSQL runs the second statement only
                // once the first has committed, so a node that reads the new count also sees this write.
                await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new("COMMIT"), new(ChangeCounter.BumpSql) } };
                var version = Convert.ToInt64(await batch.ExecuteScalarAsync());
                // The rest of this request reads past its own write.
                if (_request.Value is { } request) request.Version = Math.Max(request.Version, version);
            }
        }
        catch (Exception exception) when (StorageFailures.Condition(exception) is { } condition)
        {
            _health?.Failed(Source, condition, exception);
            throw;
        }
        _health?.Succeeded(Source);
        StoreMetrics.Write("postgres", started);
        return result;
    }

    /// <summary>Serves a cacheable read from this node's cache when the database has not changed since it was loaded.</summary>
    internal async ValueTask<T> CachedAsync<T>(PostgresSession session, string key, Func<IDbSession, ValueTask<T>> load)
    {
        // Outside a request the session keeps its count, so a cached read nested in another reads it once.
        if (session.Version < 0) session.Version = await VersionAsync(session.Cancellation);
        var generation = _cache.For(session.Version);
        if (generation.Entries.TryGetValue(key, out var cached)) return (T)cached;
        var value = await load(session);
        // A miss is not kept: a client sending made-up credentials would otherwise fill the cache with them.
        if (value is not null) _cache.Add(generation, key, value);
        return value;
    }

    /// <summary>The change count this read must be at least as new as: read once per request, or per read outside one.</summary>
    private async ValueTask<long> VersionAsync(CancellationToken cancellationToken)
    {
        var request = _request.Value;
        if (request is { Version: >= 0 }) return request.Version;
        await EnsureCounterAsync();
        var version = await _counter.CurrentAsync(cancellationToken);
        if (request is not null) request.Version = Math.Max(request.Version, version);
        return version;
    }

    /// <summary>
    /// The sequence behind <see cref="ChangeCounter"/>, made once per process under the schema lock (two nodes
    /// starting together would race on CREATE SEQUENCE IF NOT EXISTS). It is the database layer's own object,
    /// not any module's, so it does not live in a module's schema history.
    /// </summary>
    private Task EnsureCounterAsync()
    {
        return Volatile.Read(ref _counterMade) is { IsCompletedSuccessfully: true } done ? done : MakeAsync();

        async Task MakeAsync()
        {
            await using var connection = await _source.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({LockKeys.Schema}); CREATE SEQUENCE IF NOT EXISTS {ChangeCounter.Sequence}", connection, transaction))
            {
                await command.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            Volatile.Write(ref _counterMade, Task.CompletedTask);
        }
    }

    /// <summary>Begins a request: its cacheable reads share one read of the change count, taken at its first such read.</summary>
    public IDisposable Begin()
    {
        if (_request.Value is not null) return NoScope.Instance;
        _request.Value = new RequestVersion();
        return new Scope(this);
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await _counterSource.DisposeAsync();
    }

    private sealed class RequestVersion
    {
        public long Version = -1;
    }

    private sealed class Scope(PostgresDatabase database) : IDisposable
    {
        public void Dispose() => database._request.Value = null;
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
