using B24Mail.Storage.Sqlite;

namespace B24Mail.Tests.Durability;

/// <summary>The SQLite writer thread on a real file, when a transaction ends under it as SQLite may end one on a full disk.</summary>
public sealed class SqliteWriterTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "b24mail-tests", Guid.NewGuid().ToString("N"));
    private SqliteDatabase _database = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _database = new SqliteDatabase(Path.Combine(_folder, "test.db"));
        await _database.WriteAsync(session => session.ExecuteAsync("CREATE TABLE t (x INTEGER)"));
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_write_whose_transaction_is_gone_fails_and_the_writer_keeps_writing()
    {
        // Ending the transaction from inside leaves no savepoint to roll back to, as SQLite's own rollback does.
        var gone = _database.WriteAsync<int>(async session =>
        {
            await session.ExecuteAsync("ROLLBACK");
            throw new InvalidOperationException("the write failed");
        });
        Assert.Equal("the write failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => gone)).Message);

        // A writer thread that died would leave this waiting forever.
        await _database.WriteAsync(session => session.ExecuteAsync("INSERT INTO t (x) VALUES (1)")).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(1L, await _database.ReadAsync(async session => (long)(await session.ScalarAsync("SELECT COUNT(*) FROM t"))!, TestContext.Current.CancellationToken));
    }
}
