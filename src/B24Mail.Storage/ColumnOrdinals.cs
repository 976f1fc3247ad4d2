using System.Data.Common;

namespace B24Mail.Storage;

/// <summary>
/// The positions of one statement's columns, found by name on the first reader and then kept: rows are read by
/// column name, so a select list can change without breaking its reader, yet a hot read costs no name lookups
/// (SQLite's <c>GetOrdinal</c> asks the native library for every column's name). Keep one instance per select
/// list: two statements whose lists differ must not share it.
/// </summary>
public sealed class ColumnOrdinals<T>(Func<DbDataReader, T> resolve) where T : class
{
    // A race resolves twice to the same positions; either result may be kept.
    private T? _resolved;

    public T Of(DbDataReader reader) => _resolved ??= resolve(reader);
}
