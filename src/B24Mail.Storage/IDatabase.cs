namespace B24Mail.Storage;

public interface IDatabase : IAsyncDisposable
{
    SqlDialect Dialect { get; }

    Task<T> ReadAsync<T>(Func<IDbSession, T> read, CancellationToken cancellationToken = default);

    /// <summary>Runs in a transaction; the task completes after the commit is durable.</summary>
    Task<T> WriteAsync<T>(Func<IDbSession, T> write);

    Task WriteAsync(Action<IDbSession> write) => WriteAsync(session =>
    {
        write(session);
        return true;
    });
}
