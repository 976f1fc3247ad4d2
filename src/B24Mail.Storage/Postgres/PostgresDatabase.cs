using System.Data.Common;
using B24Mail.Rest.Health;
using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// PostgreSQL through Npgsql's pooled data source. Every read sees the latest commit of any node; writes
/// run each in their own transaction, and PostgreSQL groups their commits. Nothing is cached above it,
/// so several nodes can share one database. Writes that fail because of the server itself (full disk,
/// read-only, unreachable) are reported to <see cref="StorageHealth"/>.
/// </summary>
public sealed class PostgresDatabase : IDatabase
{
    /// <summary>
    /// Connections per node when the connection string does not say. Npgsql's own default, 100, is all of
    /// PostgreSQL's default max_connections, so two nodes could not both fill their pools. With 20, four
    /// nodes take 80 of the 97 connections a default server gives ordinary users (3 are kept for superusers),
    /// leaving room for administrators, backups and commands run beside the servers.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    private const string Source = "database";

    private readonly NpgsqlDataSource _source;
    private readonly StorageHealth? _health;

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
    }

    public SqlDialect Dialect => SqlDialect.Postgres;

    /// <summary>The pool size the data source was built with, for tests.</summary>
    internal int MaxPoolSize => new NpgsqlConnectionStringBuilder(_source.ConnectionString).MaxPoolSize;

    public async Task<T> ReadAsync<T>(Func<IDbSession, ValueTask<T>> read, CancellationToken cancellationToken = default)
    {
        var started = StoreMetrics.Start();
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var session = new PostgresSession(connection, null, cancellationToken);
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
            await using var connection = await _source.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var session = new PostgresSession(connection, transaction, CancellationToken.None))
            {
                result = await write(session);
            }
            await transaction.CommitAsync();
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

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    /// <summary>
    /// One call's statements on one connection. Commands are made per statement and owned by the session,
    /// which disposes them (and so any reader still open on them) when the call ends.
    /// </summary>
    private sealed class PostgresSession(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellation) : IDbSession, IAsyncDisposable
    {
        private NpgsqlCommand? _last;
        private List<NpgsqlCommand>? _earlier;
        // A connection has one open reader at a time, so the last one is the only one that can still be open.
        private NpgsqlDataReader? _reader;

        public CancellationToken Cancellation => cancellation;

        private NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
        {
            // A call cancelled between statements sends no more, as on SQLite; one cancelled while its statement
            // runs is cancelled on the server by Npgsql.
            cancellation.ThrowIfCancellationRequested();
            var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            if (_last is not null) (_earlier ??= []).Add(_last);
            _last = command;
            return command;
        }

        public async ValueTask<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters) =>
            await Command(sql, parameters).ExecuteNonQueryAsync(cancellation);

        public async ValueTask<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
        {
            var value = await Command(sql, parameters).ExecuteScalarAsync(cancellation);
            return value is DBNull ? null : value;
        }

        public async ValueTask<DbDataReader> ReaderAsync(string sql, params (string Name, object? Value)[] parameters) =>
            _reader = await Command(sql, parameters).ExecuteReaderAsync(cancellation);

        public ValueTask<T> CachedAsync<T>(string key, Func<IDbSession, ValueTask<T>> load) => load(this);

        public async ValueTask LockAsync(long key) => await ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", ("@key", key));

        public async ValueTask DisposeAsync()
        {
            if (_reader is not null) await _reader.DisposeAsync();
            if (_earlier is not null)
            {
                foreach (var command in _earlier) await command.DisposeAsync();
            }
            if (_last is not null) await _last.DisposeAsync();
        }
    }
}
