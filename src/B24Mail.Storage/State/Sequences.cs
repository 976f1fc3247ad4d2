namespace B24Mail.Storage.State;

/// <summary>The counters behind generated IDs, moved after rows were written with IDs of their own.</summary>
public static class Sequences
{
    /// <summary>
    /// Makes the next generated <c>id</c> of <paramref name="table"/> follow the highest one it holds. With
    /// <paramref name="rewind"/> the counter may go back (every row was replaced, so nothing newer survives);
    /// without, it only moves forward. SQLite moves an AUTOINCREMENT counter forward itself when a larger ID is
    /// written; PostgreSQL's identity columns never do, so an add after an import would otherwise collide.
    /// </summary>
    public static async ValueTask ContinueAsync(IDbSession session, SqlDialect dialect, string table, bool rewind)
    {
        var max = Convert.ToInt64(await session.ScalarAsync($"SELECT COALESCE(MAX(id), 0) FROM {table}"));
        if (dialect == SqlDialect.Sqlite)
        {
            if (rewind) await session.ExecuteAsync("UPDATE sqlite_sequence SET seq = @max WHERE name = @table", ("@max", max), ("@table", table));
            return;
        }
        var sequence = (string)(await session.ScalarAsync("SELECT pg_get_serial_sequence(@table, 'id')", ("@table", table)))!;
        if (!rewind)
        {
            // last_value is the start value until the first nextval, when is_called turns true.
            max = Math.Max(max, Convert.ToInt64(await session.ScalarAsync($"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}")));
        }
        await session.ScalarAsync("SELECT setval(CAST(@sequence AS regclass), @value, @called)", ("@sequence", sequence), ("@value", Math.Max(max, 1)), ("@called", max > 0));
    }
}
