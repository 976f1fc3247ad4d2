using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Health;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// PostgreSQL through Npgsql's pooled data source, every call awaited. Writes run each in their own transaction,
/// and PostgreSQL groups their commits. Several nodes can share one database: reads marked cacheable are kept per
/// node and group of tables (<see cref="NodeCache"/>) only for as long as the database's counts of committed
/// writes that could touch that group (<see cref="ChangeCounter"/>) have not moved, and the counts are taken once
/// per request, after the request arrived (from what the node knows while its <see cref="ChangeFeed"/> vouches for
/// it, otherwise by a read), so a request sees every write any node acknowledged before it. Writes that fail because
/// of the server itself (full disk, read-only, unreachable) are reported to <see cref="StorageHealth"/>.
/// </summary>
public sealed partial class PostgresDatabase : IDatabase, IRequestScope
{
    /// <summary>
    /// Connections per node for calls when the connection string does not say (each node has
    /// <see cref="OwnConnections"/> more). Npgsql's own default, 100, is all of PostgreSQL's default
    /// max_connections, so two nodes could not both fill their pools. With 20, four nodes take 88 of the 97
    /// connections a default server gives ordinary users (3 are kept for superusers), leaving room for
    /// administrators, backups and commands run beside the servers.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>Connections a node holds beside its pool: one reads the change count, one is the change feed's.</summary>
    public const int OwnConnections = 2;

    private const string Source = "database";

    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _counterSource;
    private readonly NpgsqlDataSource _feedSource;
    private readonly ChangeFeed _feed;
    private readonly StorageHealth? _health;
    private readonly ChangeCounter _counter;
    private readonly GroupCommit _groupCommit;
    private readonly ConcurrentDictionary<string, NodeCache> _caches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _sequences = new(StringComparer.Ordinal);
    private readonly AsyncLocal<RequestVersion?> _request = new();

    public PostgresDatabase(string connectionString, StorageHealth? health = null, ILogger<PostgresDatabase>? logger = null)
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
        // The change feed listens on a connection it holds for the node's life (see ChangeFeed), named so an
        // operator can tell it in pg_stat_activity.
        builder.ApplicationName = ChangeFeed.ApplicationName;
        _feedSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _counter = new ChangeCounter(_counterSource);
        _feed = new ChangeFeed(_feedSource, _source, _counter, logger);
        _counter.Vouched = () => _feed.Vouching;
        _groupCommit = new GroupCommit(_source, _feed);
    }

    public SqlDialect Dialect => SqlDialect.Postgres;

    /// <summary>The pool size the data source was built with, for tests.</summary>
    internal int MaxPoolSize => new NpgsqlConnectionStringBuilder(_source.ConnectionString).MaxPoolSize;

    /// <summary>Batches of single-statement writes sent, for tests.</summary>
    internal long WriteBatches => Interlocked.Read(ref _groupCommit.Batches);

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

    /// <summary>Whether this node answers cached reads from the counts it knows, for tests.</summary>
    internal bool Vouching => _feed.Vouching;

    /// <summary>This node's change feed, for tests.</summary>
    internal ChangeFeed Feed => _feed;

    public Task<T> WriteAsync<T>(Func<IDbSession, ValueTask<T>> write) => RecordWriteAsync(async () =>
    {
        var (result, bumps, notice) = await CommitAsync(write);
        // Acknowledged only once every other node knows of it (see ChangeFeed), the connection already back in the pool.
        if (bumps.Length > 0) await _feed.SettleAsync(notice, bumps);
        return result;
    });

    private async Task<(T Result, (string? Group, long Value)[] Bumps, ChangeFeed.Notice? Notice)> CommitAsync<T>(Func<IDbSession, ValueTask<T>> write)
    {
        await using var connection = await _source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        T result;
        PostgresSession session;
        await using (session = new PostgresSession(this, connection, transaction, CancellationToken.None))
        {
            result = await write(session);
        }
        if (session.KeepsCaches)
        {
            await transaction.CommitAsync();
            return (result, [], null);
        }
        var groups = session.ChangedGroups?.ToArray() ?? [null];
        await EnsureSequencesAsync(groups);
        // The bumps follow the commit in the same round trip: PostgreSQL runs the second statement only once the
        // first has committed, so a node that reads the new counts also sees this write.
        var notice = _feed.NoticeForBatch();
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new("COMMIT") } };
        ChangeFeed.AddBump(batch.BatchCommands, groups, notice);
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.ReadAsync();
        (string? Group, long Value)[] bumps = [.. groups.Select((group, i) => (group, reader.GetInt64(i)))];
        Bumped(bumps);
        return (result, bumps, notice);
    }

    /// <summary>The statement goes out with those of other requests, its commit and the bump in one round trip (see <see cref="GroupCommit"/>).</summary>
    public Task<object?> WriteScalarAsync(string? tables, string sql, params (string Name, object? Value)[] parameters) => RecordWriteAsync(async () =>
    {
        if (!ReturnsRows().IsMatch(sql)) throw new ArgumentException("A single-statement write must return rows (RETURNING), so its result can be told from the others' in a batch.", nameof(sql));
        string?[] groups = [tables is null ? null : ChangeCounter.CheckGroup(tables)];
        await EnsureSequencesAsync(groups);
        var (result, bump, settled) = await _groupCommit.WriteAsync(new GroupCommit.Pending(groups[0], sql, parameters));
        Bumped([(groups[0], bump)]);
        await settled;
        return result;
    });

    [GeneratedRegex(@"\bRETURNING\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReturnsRows();

    /// <summary>The rest of this request reads past its own write.</summary>
    private void Bumped((string? Group, long Value)[] bumps)
    {
        foreach (var (group, value) in bumps) _counter.Observe(group, value);
        if (_request.Value is not { Count: { } count } request) return;
        foreach (var (group, value) in bumps) count = count.After(group, value);
        request.Count = count;
    }

    private async Task<T> RecordWriteAsync<T>(Func<Task<T>> write)
    {
        var started = StoreMetrics.Start();
        T result;
        try
        {
            result = await write();
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

    /// <summary>Serves a cacheable read from this node's cache when no write that could touch its group committed since it was loaded.</summary>
    internal async ValueTask<T> CachedAsync<T>(PostgresSession session, string group, string key, Func<IDbSession, ValueTask<T>> load)
    {
        // The group's name is checked once, when its cache is made, not on every read.
        var cache = _caches.GetOrAdd(group, static name =>
        {
            ChangeCounter.CheckGroup(name);
            return new NodeCache();
        });
        var generation = cache.For(await VersionAsync(session, group));
        if (generation.Entries.TryGetValue(key, out var cached)) return (T)cached;
        var value = await load(session);
        // A miss is not kept: a client sending made-up credentials would otherwise fill the cache with them.
        if (value is not null) cache.Add(generation, key, value);
        return value;
    }

    /// <summary>The counts a cached read of <paramref name="group"/> must be at least as new as: read once per request (or per session outside one).</summary>
    private async ValueTask<GroupVersion> VersionAsync(PostgresSession session, string group)
    {
        var holder = _request.Value ?? session.Own;
        if (holder.Count is { } known && known.Has(group)) return known.For(group);
        _feed.Start();
        await EnsureSequencesAsync([group]);
        ChangeCount read;
        // A read already on the wire when the group was first tracked does not count it; the next one does.
        do read = await _counter.CurrentAsync(group, session.Cancellation);
        while (!read.Has(group));
        holder.Count = holder.Count is { } earlier ? earlier.Max(read) : read;
        return holder.Count.For(group);
    }

    /// <summary>
    /// The sequences behind <see cref="ChangeCounter"/>, each made once per process. They are the database layer's
    /// own objects, not any module's, so they do not live in a module's schema history. A write may need one while
    /// its transaction holds locks (a migration holds the schema lock) and a pooled connection, so making one takes
    /// no lock and uses the count's own connection, not the pool (calls holding every pooled connection while they
    /// wait for one more would wait for ever): two nodes that race on CREATE SEQUENCE IF NOT EXISTS see a unique
    /// violation, which means the other made it.
    /// </summary>
    private async ValueTask EnsureSequencesAsync(string?[] groups)
    {
        foreach (var group in groups)
        {
            var name = ChangeCounter.SequenceOf(group);
            if (!_sequences.TryGetValue(name, out var made) || !made.IsCompletedSuccessfully)
            {
                await _sequences.AddOrUpdate(name, MakeSequenceAsync, (key, earlier) => earlier.IsFaulted || earlier.IsCanceled ? MakeSequenceAsync(key) : earlier);
            }
            if (group is not null) _counter.Track(group);
        }
    }

    private async Task MakeSequenceAsync(string name)
    {
        try
        {
            await using var command = _counterSource.CreateCommand($"CREATE SEQUENCE IF NOT EXISTS {name}");
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
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
        await _feed.DisposeAsync();
        await _source.DisposeAsync();
        await _counterSource.DisposeAsync();
        await _feedSource.DisposeAsync();
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
