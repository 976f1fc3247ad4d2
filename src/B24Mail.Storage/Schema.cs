namespace B24Mail.Storage;

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
