using B24Mail.Storage;
using B24Mail.Storage.Postgres;

namespace B24Mail.Tests.Storage;

/// <summary>
/// What a PostgreSQL node keeps in memory: cached reads, valid while the database's change count stays put.
/// Two <see cref="PostgresDatabase"/> instances on one real database stand for two nodes.
/// </summary>
public sealed class PostgresDatabaseTests : TwoPostgresNodes
{
    private int _loads;

    /// <summary>The cached value of row 1; counts the loads that reached the database.</summary>
    private Task<string> ReadAsync(PostgresDatabase node) => node.ReadAsync(reader => reader.CachedAsync("test", "t:1", async session =>
    {
        Interlocked.Increment(ref _loads);
        return (string)(await session.ScalarAsync("SELECT v FROM t WHERE k = 1"))!;
    }));

    /// <summary>Sets row 1; <paramref name="changes"/> names the group the write says it changes (null: says nothing).</summary>
    private static Task SetAsync(PostgresDatabase node, string value, bool keepCaches = false, string? changes = null) => node.WriteAsync(async session =>
    {
        if (keepCaches) session.KeepCaches();
        if (changes is not null) session.Changes(changes);
        return await session.ExecuteAsync("UPDATE t SET v = @v WHERE k = 1", ("@v", value));
    });

    [Fact]
    public async Task A_cached_read_sees_a_write_another_node_acknowledged_before_it()
    {
        Assert.Equal("one", await ReadAsync(Node));
        var loads = _loads;
        Assert.Equal("one", await ReadAsync(Node));
        Assert.Equal(loads, _loads);

        await SetAsync(Other, "two");
        Assert.Equal("two", await ReadAsync(Node));
        await SetAsync(Other, "three");
        using (Node.Begin()) Assert.Equal("three", await ReadAsync(Node));
    }

    [Fact]
    public async Task The_reads_of_one_request_share_one_count_and_see_the_requests_own_writes()
    {
        await ReadAsync(Node);
        using (Node.Begin())
        {
            var before = Node.CounterReads;
            for (var i = 0; i < 5; i++) Assert.Equal("one", await ReadAsync(Node));
            Assert.Equal(before + 1, Node.CounterReads);

            await SetAsync(Node, "mine");
            Assert.Equal("mine", await ReadAsync(Node));
            // The write's own bump told the request how new its reads must be: no second round trip for it.
            Assert.Equal(before + 1, Node.CounterReads);
        }
    }

    [Fact]
    public async Task Requests_arriving_together_share_their_reads_of_the_count()
    {
        await ReadAsync(Node);
        var before = Node.CounterReads;
        // Awaited, not waited for on pool threads: 200 blocked threads would be let in a few at a time, and the
        // requests would not arrive together.
        var start = new TaskCompletionSource();
        var requests = Enumerable.Range(0, 200).Select(async _ =>
        {
            await start.Task;
            using (Node.Begin()) return await ReadAsync(Node);
        }).ToArray();
        start.SetResult();
        Assert.All(await Task.WhenAll(requests), value => Assert.Equal("one", value));
        var reads = Node.CounterReads - before;
        Assert.InRange(reads, 1, 100);
    }

    [Fact]
    public async Task A_write_that_changes_no_cached_table_leaves_the_caches_of_every_node()
    {
        Assert.Equal("one", await ReadAsync(Node));
        // Deliberately against its promise, so the test can see that the caches stayed.
        await SetAsync(Other, "hidden", keepCaches: true);
        Assert.Equal("one", await ReadAsync(Node));
        await SetAsync(Other, "seen");
        Assert.Equal("seen", await ReadAsync(Node));
    }

    [Fact]
    public async Task A_write_that_names_its_group_ends_only_that_groups_caches()
    {
        Assert.Equal("one", await ReadAsync(Node));
        // Deliberately against its promise again: the row is in group "test", the write says "other".
        await SetAsync(Other, "hidden", changes: "other");
        Assert.Equal("one", await ReadAsync(Node));
        await SetAsync(Other, "named", changes: "test");
        Assert.Equal("named", await ReadAsync(Node));
    }

    [Fact]
    public async Task A_single_statement_write_commits_answers_and_ends_its_groups_caches_in_one_call()
    {
        Assert.Equal("one", await ReadAsync(Node));
        Assert.Equal(1, Convert.ToInt32(await Other.WriteScalarAsync("test", "UPDATE t SET v = @v WHERE k = 1 RETURNING k", ("@v", "scalar"))));
        Assert.Equal("scalar", await ReadAsync(Node));
        Assert.Null(await Other.WriteScalarAsync("test", "UPDATE t SET v = 'x' WHERE k = 99 RETURNING k"));
        Assert.Null(await Other.WriteScalarAsync(null, "UPDATE t SET v = 'y' WHERE k = 99 RETURNING k"));
        await Assert.ThrowsAsync<ArgumentException>(() => Other.WriteScalarAsync(null, "UPDATE t SET v = 'y' WHERE k = 99"));

        using (Node.Begin())
        {
            Assert.Equal("scalar", await ReadAsync(Node));
            await Node.WriteScalarAsync("test", "UPDATE t SET v = 'own' WHERE k = 1 RETURNING k");
            Assert.Equal("own", await ReadAsync(Node));
        }
        // A statement that fails changes nothing and says why.
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Node.WriteScalarAsync("test", "UPDATE t SET k = NULL WHERE k = 1 RETURNING k"));
        Assert.Equal("own", await ReadAsync(Node));
    }

    [Fact]
    public async Task Concurrent_single_statement_writes_share_batches_and_a_failing_one_fails_alone()
    {
        await Node.WriteAsync(session => session.ExecuteAsync("CREATE TABLE w (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))"));
        var before = Node.WriteBatches;
        var start = new TaskCompletionSource();
        // Row 13 breaks the CHECK: its batch is rolled back and sent again a statement at a time.
        var writes = Enumerable.Range(1, 200).Select(async i =>
        {
            await start.Task;
            return await Node.WriteScalarAsync("test", "INSERT INTO w (id, n) VALUES (@id, @n) RETURNING id", ("@id", i), ("@n", i == 13 ? -1 : i));
        }).ToArray();
        start.SetResult();
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => writes[12]);
        for (var i = 0; i < writes.Length; i++)
        {
            if (i != 12) Assert.Equal(i + 1, Convert.ToInt32(await writes[i]));
        }
        Assert.Equal(199L, Convert.ToInt64(await Other.ReadAsync(session => session.ScalarAsync("SELECT count(*) FROM w"))));
        Assert.InRange(Node.WriteBatches - before, 1, 150);
    }

    [Fact]
    public async Task A_batch_whose_bump_fails_after_its_commit_is_not_sent_again()
    {
        await Node.WriteAsync(session => session.ExecuteAsync("CREATE TABLE n (id SERIAL PRIMARY KEY, v INTEGER NOT NULL)"));
        await Node.WriteScalarAsync("test", "INSERT INTO n (v) VALUES (0) RETURNING id");
        // By hand, behind the node's back: its next bumps fail after their commits.
        await Other.WriteAsync(session => session.ExecuteAsync("DROP SEQUENCE b24mail_changes_test"));
        var start = new TaskCompletionSource();
        var writes = Enumerable.Range(1, 100).Select(async i =>
        {
            await start.Task;
            return await Node.WriteScalarAsync("test", "INSERT INTO n (v) VALUES (@v) RETURNING id", ("@v", i));
        }).ToArray();
        start.SetResult();
        foreach (var write in writes) await Assert.ThrowsAsync<Npgsql.PostgresException>(() => write);
        // Each row once: a batch rolled back and resent would have written its rows twice.
        Assert.Equal(101L, Convert.ToInt64(await Other.ReadAsync(session => session.ScalarAsync("SELECT count(*) FROM n"))));
        Assert.Equal(101L, Convert.ToInt64(await Other.ReadAsync(session => session.ScalarAsync("SELECT count(DISTINCT v) FROM n"))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Test")]
    [InlineData("a; DROP TABLE t")]
    public async Task A_group_name_that_is_not_plain_is_refused(string group)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Node.ReadAsync(reader => reader.CachedAsync(group, "k", _ => ValueTask.FromResult("x"))));
        await Assert.ThrowsAsync<ArgumentException>(() => Node.WriteScalarAsync(group, "UPDATE t SET v = v RETURNING k"));
    }

    [Fact]
    public async Task A_read_that_finds_nothing_is_not_cached()
    {
        var loads = 0;
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await Node.ReadAsync(reader => reader.CachedAsync<string?>("test", "missing", _ =>
            {
                loads++;
                return ValueTask.FromResult<string?>(null);
            })));
        }
        Assert.Equal(3, loads);
    }

    [Fact]
    public async Task Waiting_for_the_count_observes_the_calls_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Node.ReadAsync(reader => reader.CachedAsync("test", "t:1", _ => ValueTask.FromResult("x")), cancelled.Token));
    }
}
