namespace B24Mail.Storage;

/// <summary>Versioned schema per module: the migrations past the stored version run in one locked transaction.</summary>
public static class Schema
{
    public static Task MigrateAsync(IDatabase database, string module, IReadOnlyList<string> migrations) => database.WriteAsync(async session =>
    {
        // Lock first: two nodes starting together would otherwise race even on CREATE TABLE IF NOT EXISTS.
        await session.LockAsync(LockKeys.Schema);
        await session.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        var current = Convert.ToInt32(await session.ScalarAsync("SELECT version FROM schema_versions WHERE module = @m", ("@m", module)) ?? 0);
        for (var i = current; i < migrations.Count; i++) await session.ExecuteAsync(migrations[i]);
        if (current < migrations.Count)
        {
            await session.ExecuteAsync("INSERT INTO schema_versions (module, version) VALUES (@m, @v) ON CONFLICT(module) DO UPDATE SET version = excluded.version",
                ("@m", module), ("@v", migrations.Count));
        }
    });
}
