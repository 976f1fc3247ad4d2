using System.Data.Common;

namespace B24Mail.Storage;

public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// What a store needs from its database. Statements use <c>@name</c> parameters, which both SQLite and
/// PostgreSQL accept, so a store is written once; only its schema differs per dialect.
/// </summary>
public interface IDbSession
{
    DbCommand Command(string sql, params (string Name, object? Value)[] parameters);

    int Execute(string sql, params (string Name, object? Value)[] parameters);

    object? Scalar(string sql, params (string Name, object? Value)[] parameters);

    /// <summary>A result that may be reused while nothing was committed since; databases without a way to tell just load it.</summary>
    T Cached<T>(string key, Func<IDbSession, T> load);

    /// <summary>Serialises writers on <paramref name="key"/> until the transaction ends, across processes and nodes.</summary>
    void Lock(long key);
}

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

/// <summary>Lock keys, so that two kinds of write never share one by accident.</summary>
public static class LockKeys
{
    public const long Schema = 1;

    public static long PortalUsers(long portalId) => (2L << 40) | portalId;

    public static long PortalServices(long portalId) => (3L << 40) | portalId;

    public static long Limit(string key) => (4L << 40) | (uint)StableHash(key);

    private static int StableHash(string text)
    {
        var hash = unchecked((int)2166136261);
        foreach (var c in text) hash = unchecked((hash ^ c) * 16777619);
        return hash;
    }
}

/// <summary>Versioned schema per module: the migrations past the stored version run in one locked transaction.</summary>
public static class Schema
{
    public static Task MigrateAsync(IDatabase database, string module, IReadOnlyList<string> migrations) => database.WriteAsync(session =>
    {
        // Lock first: two nodes starting together would otherwise race even on CREATE TABLE IF NOT EXISTS.
        session.Lock(LockKeys.Schema);
        session.Execute("CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        var current = Convert.ToInt32(session.Scalar("SELECT version FROM schema_versions WHERE module = @m", ("@m", module)) ?? 0);
        for (var i = current; i < migrations.Count; i++) session.Execute(migrations[i]);
        if (current < migrations.Count)
        {
            session.Execute("INSERT INTO schema_versions (module, version) VALUES (@m, @v) ON CONFLICT(module) DO UPDATE SET version = excluded.version",
                ("@m", module), ("@v", migrations.Count));
        }
    });
}
