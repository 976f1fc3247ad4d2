namespace B24Mail.Storage;

/// <summary>
/// One step of a module's schema history, numbered the same on both dialects, with the SQL each runs. An empty
/// text is a step that dialect has nothing to do for (its earlier step already made the same schema), so a
/// version number means one schema whichever database holds it.
/// </summary>
public sealed record Migration(int Version, string Sqlite, string Postgres)
{
    /// <summary>A step whose SQL reads the same on both dialects.</summary>
    public Migration(int version, string sql) : this(version, sql, sql)
    {
    }

    public string For(SqlDialect dialect) => dialect == SqlDialect.Postgres ? Postgres : Sqlite;
}
