using System.Data.Common;

namespace B24Mail.Storage;

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
