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
        // Store calls are synchronous and block a thread for each round trip to the server; without a
        // floor, the thread pool grows too slowly under concurrent load and requests queue.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 128), io);
    }

    public SqlDialect Dialect => SqlDialect.Postgres;

    /// <summary>The pool size the data source was built with, for tests.</summary>
    internal int MaxPoolSize => new NpgsqlConnectionStringBuilder(_source.ConnectionString).MaxPoolSize;

    public async Task<T> ReadAsync<T>(Func<IDbSession, T> read, CancellationToken cancellationToken = default)
    {
        var started = StoreMetrics.Start();
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        var result = read(new PostgresSession(connection, null));
        StoreMetrics.Read("postgres", started);
        return result;
    }

    public async Task<T> WriteAsync<T>(Func<IDbSession, T> write)
    {
        T result;
        var started = StoreMetrics.Start();
        try
        {
            await using var connection = await _source.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            result = write(new PostgresSession(connection, transaction));
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

    private sealed class PostgresSession(NpgsqlConnection connection, NpgsqlTransaction? transaction) : IDbSession
    {
        public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            return command;
        }

        public int Execute(string sql, params (string Name, object? Value)[] parameters)
        {
            using var command = Command(sql, parameters);
            return command.ExecuteNonQuery();
        }

        public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
        {
            using var command = Command(sql, parameters);
            var value = command.ExecuteScalar();
            return value is DBNull ? null : value;
        }

        public T Cached<T>(string key, Func<IDbSession, T> load) => load(this);

        public void Lock(long key) => Execute("SELECT pg_advisory_xact_lock(@key)", ("@key", key));
    }
}
