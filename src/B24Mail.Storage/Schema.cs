namespace B24Mail.Storage;

/// <summary>
/// Versioned schema per module: the steps of its history past the stored version run in one locked transaction.
/// Times are stored as <see cref="StoredTime"/> says. Each row of <c>schema_versions</c> says which numbering its
/// version is in: <see cref="PerDialect"/> rows were written before both dialects shared one history (each had
/// its own list, and PostgreSQL's identity list was shorter), so they are translated once to
/// <see cref="Shared"/> under the same lock, before any step runs.
/// </summary>
public static class Schema
{
    /// <summary>Each dialect counted its own list of steps: the numbering of every row before issue 15.</summary>
    public const int PerDialect = 1;

    /// <summary>One history, the same version numbers on SQLite and PostgreSQL.</summary>
    public const int Shared = 2;

    /// <param name="postgresPerDialect">
    /// Where the old PostgreSQL numbering of this module differs from the shared one, old version to new; SQLite's
    /// old lists were step for step the shared history, so only PostgreSQL needs one.
    /// </param>
    public static Task MigrateAsync(IDatabase database, string module, IReadOnlyList<Migration> history, IReadOnlyDictionary<int, int>? postgresPerDialect = null)
    {
        for (var i = 0; i < history.Count; i++)
        {
            if (history[i].Version != i + 1) throw new InvalidOperationException($"The {module} history has version {history[i].Version} at position {i + 1}: versions count from 1 without gaps.");
        }
        return database.WriteAsync(async session =>
        {
            // Lock first: two nodes starting together would otherwise race even on CREATE TABLE IF NOT EXISTS.
            await session.LockAsync(LockKeys.Schema);
            await session.ExecuteAsync($"CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL, numbering INTEGER NOT NULL DEFAULT {PerDialect})");
            // A table made before the column existed gets it here; its rows are then marked as the old numbering.
            if (!await HasColumnAsync(session, "schema_versions", "numbering"))
            {
                await session.ExecuteAsync($"ALTER TABLE schema_versions ADD COLUMN numbering INTEGER NOT NULL DEFAULT {PerDialect}");
            }
            var (stored, numbering) = await ReadVersionAsync(session, module);
            var current = numbering == PerDialect && database.Dialect == SqlDialect.Postgres && postgresPerDialect?.TryGetValue(stored, out var shared) == true ? shared : stored;
            for (var i = current; i < history.Count; i++)
            {
                var sql = history[i].For(database.Dialect);
                if (sql.Length > 0) await session.ExecuteAsync(sql);
            }
            var version = Math.Max(current, history.Count);
            if (version != stored || numbering != Shared)
            {
                await session.ExecuteAsync("""
                    INSERT INTO schema_versions (module, version, numbering) VALUES (@m, @v, @n)
                    ON CONFLICT(module) DO UPDATE SET version = excluded.version, numbering = excluded.numbering
                    """, ("@m", module), ("@v", version), ("@n", Shared));
            }
        });
    }

    /// <summary>The stored version and its numbering; a module never migrated is at 0, which every numbering shares.</summary>
    private static async ValueTask<(int Version, int Numbering)> ReadVersionAsync(IDbSession session, string module)
    {
        await using var reader = await session.ReaderAsync("SELECT version, numbering FROM schema_versions WHERE module = @m", ("@m", module));
        if (!await reader.ReadAsync(session.Cancellation)) return (0, Shared);
        return (Convert.ToInt32(reader.GetValue(reader.GetOrdinal("version"))), Convert.ToInt32(reader.GetValue(reader.GetOrdinal("numbering"))));
    }

    /// <summary>Asks the table itself, through a reader's column names, so the question reads the same on both dialects.</summary>
    private static async ValueTask<bool> HasColumnAsync(IDbSession session, string table, string column)
    {
        await using var reader = await session.ReaderAsync($"SELECT * FROM {table} LIMIT 0");
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), column, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
