using B24Mail.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace B24Mail.Tests.Storage;

/// <summary>What the SQLite store keeps in memory: its read cache and its idle readers, on a real database file.</summary>
public sealed class SqliteDatabaseTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "b24mail-tests", Guid.NewGuid().ToString("N") + ".db");
    private SqliteDatabase _database = null!;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _database = new SqliteDatabase(_path);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*")) File.Delete(file);
    }

    private SqliteSession OpenSession()
    {
        var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        connection.Open();
        return new SqliteSession(connection);
    }

    [Fact]
    public async Task A_lookup_that_finds_nothing_is_not_cached()
    {
        using var session = OpenSession();
        // 20,000 made-up credentials at a 30 KB host: what a client without a credential can send.
        var host = new string('h', 30_000);
        for (var i = 0; i < 20_000; i++) Assert.Null(await session.CachedAsync<object?>("test", $"webhook:{i:x32}@{host}", _ => ValueTask.FromResult<object?>(null)));
        Assert.Equal((0, 0), session.CacheSize);
    }

    [Fact]
    public async Task The_cache_is_bounded_in_bytes_not_only_in_entries()
    {
        using var session = OpenSession();
        var value = new object();
        var budget = 0;
        for (var i = 0; i < 5_000; i++)
        {
            Assert.Same(value, await session.CachedAsync("test", $"k{i}:" + new string('h', 30_000), _ => ValueTask.FromResult(value)));
            budget = Math.Max(budget, session.CacheSize.Cost);
        }
        Assert.InRange(budget, 1, 1024 * 1024);
        // Small entries still fill it by count as before, and hit.
        var hits = 0;
        for (var i = 0; i < 100; i++) await session.CachedAsync("test", "small", _ => { hits++; return ValueTask.FromResult(value); });
        Assert.Equal(1, hits);
    }

    [Fact]
    public async Task A_list_is_charged_per_row_so_a_large_one_is_not_kept()
    {
        using var session = OpenSession();
        var small = Enumerable.Range(0, 100).Select(i => (object)i).ToList();
        var loads = 0;
        await session.CachedAsync("test", "list:small", _ => { loads++; return ValueTask.FromResult(small); });
        await session.CachedAsync("test", "list:small", _ => { loads++; return ValueTask.FromResult(small); });
        Assert.Equal(1, loads);
        // 3,000 rows at 512 bytes each is more than the connection's whole budget.
        var large = Enumerable.Range(0, 3000).Select(i => (object)i).ToList();
        await session.CachedAsync("test", "list:large", _ => { loads++; return ValueTask.FromResult(large); });
        await session.CachedAsync("test", "list:large", _ => { loads++; return ValueTask.FromResult(large); });
        Assert.Equal(3, loads);
    }

    [Fact]
    public async Task After_a_burst_of_requests_only_a_few_idle_readers_stay_open()
    {
        // 200 requests in flight at once, each holding its reader, as a burst of connections does.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new CountdownEvent(200);
        var requests = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            using (_database.BeginRequest())
            {
                Assert.Equal(1L, await _database.ReadAsync(async s => Convert.ToInt64(await s.ScalarAsync("SELECT 1"))));
                started.Signal();
                await release.Task;
            }
        })).ToArray();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        release.SetResult();
        await Task.WhenAll(requests);
        // A pool's worth, not the 200 the burst opened (the pool keeps at most 64).
        Assert.InRange(_database.IdleReaders, 1, 64);
        // The pool still serves.
        Assert.Equal(2L, await _database.ReadAsync(async s => Convert.ToInt64(await s.ScalarAsync("SELECT 2"))));
    }
}
