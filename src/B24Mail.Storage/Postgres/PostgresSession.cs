using System.Data.Common;
using Npgsql;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// One call's statements on one connection. A read opens its connection at its first statement, so a read
/// answered from <see cref="NodeCache"/> takes none. Commands are made per statement and owned by the session,
/// which disposes them (and so any reader still open on them) when the call ends.
/// </summary>
internal sealed class PostgresSession(PostgresDatabase database, NpgsqlConnection? given, NpgsqlTransaction? transaction, CancellationToken cancellation) : IDbSession, IAsyncDisposable
{
    private NpgsqlConnection? _connection = given;
    private readonly bool _ownsConnection = given is null;
    private NpgsqlCommand? _last;
    private List<NpgsqlCommand>? _earlier;
    // A connection has one open reader at a time, so the last one is the only one that can still be open.
    private NpgsqlDataReader? _reader;

    public CancellationToken Cancellation => cancellation;

    /// <summary>The change counts this session's cached reads use when it serves no request (a request's are shared by its sessions).</summary>
    internal RequestVersion Own { get; } = new();

    /// <summary>The groups of tables this write said it changes; null: it said nothing, so any.</summary>
    internal HashSet<string>? ChangedGroups { get; private set; }

    /// <summary>Set by a write whose tables no cached read depends on, so it does not end this node's (and every node's) cache generation.</summary>
    internal bool KeepsCaches { get; private set; }

    private async ValueTask<NpgsqlCommand> CommandAsync(string sql, (string Name, object? Value)[] parameters)
    {
        // A call cancelled between statements sends no more, as on SQLite; one cancelled while its statement
        // runs is cancelled on the server by Npgsql.
        cancellation.ThrowIfCancellationRequested();
        _connection ??= await database.OpenAsync(cancellation);
        var command = new NpgsqlCommand(sql, _connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        if (_last is not null) (_earlier ??= []).Add(_last);
        _last = command;
        return command;
    }

    public async ValueTask<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters) =>
        await (await CommandAsync(sql, parameters)).ExecuteNonQueryAsync(cancellation);

    public async ValueTask<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = await (await CommandAsync(sql, parameters)).ExecuteScalarAsync(cancellation);
        return value is DBNull ? null : value;
    }

    public async ValueTask<DbDataReader> ReaderAsync(string sql, params (string Name, object? Value)[] parameters) =>
        _reader = await (await CommandAsync(sql, parameters)).ExecuteReaderAsync(cancellation);

    /// <summary>Inside a write the transaction's own view counts, so nothing is cached there.</summary>
    public ValueTask<T> CachedAsync<T>(string tables, string key, Func<IDbSession, ValueTask<T>> load) =>
        transaction is null ? database.CachedAsync(this, tables, key, load) : load(this);

    public void Changes(string tables) => (ChangedGroups ??= new HashSet<string>(StringComparer.Ordinal)).Add(ChangeCounter.CheckGroup(tables));

    public async ValueTask LockAsync(long key) => await ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", ("@key", key));

    public void KeepCaches() => KeepsCaches = true;

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null) await _reader.DisposeAsync();
        if (_earlier is not null)
        {
            foreach (var command in _earlier) await command.DisposeAsync();
        }
        if (_last is not null) await _last.DisposeAsync();
        // A connection the session opened itself goes back to the pool with it.
        if (_ownsConnection && _connection is not null) await _connection.DisposeAsync();
    }
}
