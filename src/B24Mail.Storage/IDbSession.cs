using System.Data.Common;

namespace B24Mail.Storage;

/// <summary>
/// What a store needs from its database. Statements use <c>@name</c> parameters, which both SQLite and
/// PostgreSQL accept, so a store is written once; only its schema differs per dialect. Every call is
/// asynchronous: PostgreSQL awaits its round trips, SQLite (in-process) answers with completed tasks.
/// A session lives for one <see cref="IDatabase.ReadAsync{T}"/> or <see cref="IDatabase.WriteAsync{T}"/>;
/// readers it opens are closed when it ends, whether or not the caller disposed them.
/// </summary>
public interface IDbSession
{
    /// <summary>The token of the call the session serves; every statement observes it.</summary>
    CancellationToken Cancellation { get; }

    ValueTask<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters);

    /// <summary>The first column of the first row; null when there is no row or the value is NULL, on both dialects.</summary>
    ValueTask<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters);

    /// <summary>Runs a query; dispose the reader (it is also closed when the session ends). Advance it with <see cref="DbDataReader.ReadAsync(CancellationToken)"/> and <see cref="Cancellation"/>.</summary>
    ValueTask<DbDataReader> ReaderAsync(string sql, params (string Name, object? Value)[] parameters);

    /// <summary>
    /// A result that may be reused while no write that could touch its group of <paramref name="tables"/> (a
    /// module's name, lower-case letters and '_') was committed since; databases without a way to tell just load it.
    /// </summary>
    ValueTask<T> CachedAsync<T>(string tables, string key, Func<IDbSession, ValueTask<T>> load);

    /// <summary>
    /// Says that this write changes only the group of <paramref name="tables"/> (call once per group), so cached
    /// results of other groups stay valid. A write that says nothing may have changed any table.
    /// </summary>
    void Changes(string tables);

    /// <summary>
    /// Says that this write changes no table a <see cref="CachedAsync{T}"/> read depends on (counters such as the
    /// rate limit's buckets), so it leaves cached results valid. Databases that cannot tell ignore it.
    /// </summary>
    void KeepCaches();

    /// <summary>Serialises writers on <paramref name="key"/> until the transaction ends, across processes and nodes.</summary>
    ValueTask LockAsync(long key);
}
