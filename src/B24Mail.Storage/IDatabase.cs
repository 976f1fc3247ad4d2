namespace B24Mail.Storage;

public interface IDatabase : IAsyncDisposable
{
    SqlDialect Dialect { get; }

    /// <summary>Runs <paramref name="read"/> on one session (at most one connection); <paramref name="cancellationToken"/> reaches every statement.</summary>
    Task<T> ReadAsync<T>(Func<IDbSession, ValueTask<T>> read, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs in a transaction; the task completes after the commit is durable. Writes are not cancelled: once
    /// asked for, a write runs to its commit or its failure on both dialects (SQLite's writer batches writes of
    /// several requests in one transaction and could not drop one half-way).
    /// </summary>
    Task<T> WriteAsync<T>(Func<IDbSession, ValueTask<T>> write);

    /// <summary>
    /// One statement that returns rows (<c>RETURNING</c>), changing only <paramref name="tables"/> (see
    /// <see cref="IDbSession.Changes"/>; null: any); the first column of its first row, or null. A database may
    /// send it with its commit, or commit it together with other such writes, so a write that needs nothing read
    /// first costs at most one round trip.
    /// </summary>
    Task<object?> WriteScalarAsync(string? tables, string sql, params (string Name, object? Value)[] parameters) => WriteAsync(session =>
    {
        if (tables is not null) session.Changes(tables);
        return session.ScalarAsync(sql, parameters);
    });

    async Task WriteAsync(Func<IDbSession, ValueTask> write) => await WriteAsync(async session =>
    {
        await write(session);
        return true;
    });
}
