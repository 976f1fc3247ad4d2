using Microsoft.Data.Sqlite;

namespace B24Mail.Storage.Sqlite;

/// <summary>
/// Versioned schema per module: each module lists its migrations in order, and only the ones past the
/// stored version run, inside the writer's transaction (so two processes starting together do not race).
/// </summary>
public static class SqliteSchema
{
    public static Task MigrateAsync(SqliteDatabase database, string module, IReadOnlyList<string> migrations) => database.WriteAsync(session =>
    {
        session.Execute("CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        var read = session.Command("SELECT version FROM schema_versions WHERE module = $m", ("$m", module));
        var current = Convert.ToInt32(read.ExecuteScalar() ?? 0);
        for (var i = current; i < migrations.Count; i++) session.Execute(migrations[i]);
        if (current < migrations.Count)
        {
            var write = session.Command("INSERT INTO schema_versions (module, version) VALUES ($m, $v) ON CONFLICT(module) DO UPDATE SET version = excluded.version",
                ("$m", module), ("$v", migrations.Count));
            write.ExecuteNonQuery();
        }
    });

}
