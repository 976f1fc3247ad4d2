using B24Mail.Storage;

namespace B24Mail.Server.ControlPlane.Clock;

/// <summary>
/// Keeps the manual time in the database, written on every set or advance, so a restart and the commands run
/// with <c>--clock manual</c> (<c>token issue</c>, <c>webhook add --expires-in</c>) see the time the server had.
/// Each node reads it when it starts; a node that is already running keeps its own until set through it.
/// </summary>
public sealed class ManualClockStore(IDatabase database, ManualClock clock)
{
    /// <summary>Makes the table and loads the stored time; the first start stores the system time it began at.</summary>
    public async Task MigrateAsync()
    {
        await Schema.MigrateAsync(database, "clock", [new Migration(1, "CREATE TABLE manual_clock (id INTEGER PRIMARY KEY, now_ms BIGINT NOT NULL);")]);
        var stored = await database.ReadAsync(session => session.ScalarAsync("SELECT now_ms FROM manual_clock WHERE id = 1"));
        if (stored is null or DBNull) await SetAsync(clock.GetUtcNow());
        else clock.Set(StoredTime.ToTime(Convert.ToInt64(stored)));
    }

    public async Task SetAsync(DateTimeOffset now)
    {
        // Whole milliseconds, so the time read back after a restart is the time that was set.
        now = StoredTime.Whole(now);
        await database.WriteAsync(session => session.ExecuteAsync(
            "INSERT INTO manual_clock (id, now_ms) VALUES (1, @now) ON CONFLICT (id) DO UPDATE SET now_ms = excluded.now_ms", ("@now", StoredTime.From(now))));
        clock.Set(now);
    }
}
