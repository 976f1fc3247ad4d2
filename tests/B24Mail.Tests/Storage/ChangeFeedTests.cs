using System.Diagnostics;
using B24Mail.Storage.Postgres;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.Storage;

/// <summary>
/// Nodes that vouch for the change counts they know (<see cref="ChangeFeed"/>): no round trip per request once
/// settled, and still every write another node acknowledged is seen, whether the other nodes answer, lose their
/// channel or stop answering altogether. Two <see cref="PostgresDatabase"/> instances on one real database stand
/// for two nodes.
/// </summary>
public sealed class ChangeFeedTests : TwoPostgresNodes
{
    private Task<string> ReadAsync(PostgresDatabase node) => node.ReadAsync(reader =>
        reader.CachedAsync("test", "t:1", async session => (string)(await session.ScalarAsync("SELECT v FROM t WHERE k = 1"))!));

    private static Task SetAsync(PostgresDatabase node, string value) =>
        node.WriteScalarAsync("test", "UPDATE t SET v = @v WHERE k = 1 RETURNING k", ("@v", value));

    /// <summary>Both nodes read once (which starts their feeds), then wait until each vouches and lists the other.</summary>
    private async Task SettledAsync()
    {
        await ReadAsync(Node);
        await ReadAsync(Other);
        var deadline = Stopwatch.StartNew();
        while (!(Node.Vouching && Other.Vouching && await ListedAsync(2)))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"the nodes did not settle (vouching: {Node.Vouching}, {Other.Vouching})");
            await Task.Delay(50);
        }
    }

    private async Task<bool> ListedAsync(int nodes) => Convert.ToInt64(await Node.ReadAsync(session =>
        session.ScalarAsync($"SELECT count(*) FROM {ChangeFeed.Table} WHERE lease_until > now()"))) == nodes;

    [Fact]
    public async Task A_settled_node_reads_no_count_and_still_sees_every_write_another_node_acknowledged()
    {
        Assert.False(Node.Vouching);
        await SettledAsync();
        Assert.Equal("one", await ReadAsync(Node));
        var reads = Node.CounterReads;
        for (var i = 0; i < 50; i++)
        {
            using (Node.Begin()) Assert.Equal("one", await ReadAsync(Node));
        }
        Assert.Equal(reads, Node.CounterReads);

        var answered = Node.Feed.AcksSent;
        for (var i = 0; i < 20; i++)
        {
            // Each way, by a write in a transaction and by a grouped single statement.
            var (writer, reader) = i % 2 == 0 ? (Other, Node) : (Node, Other);
            if (i % 4 < 2) await SetAsync(writer, $"v{i}");
            else await writer.WriteAsync(session => session.ExecuteAsync("UPDATE t SET v = @v WHERE k = 1", ("@v", $"v{i}")));
            using (reader.Begin()) Assert.Equal($"v{i}", await ReadAsync(reader));
        }
        Assert.True(Node.Feed.AcksSent > answered);
        Assert.Equal(0, Node.Feed.Resent + Other.Feed.Resent);
    }

    [Fact]
    public async Task Many_writes_on_one_node_are_each_seen_at_once_on_the_other()
    {
        await SettledAsync();
        var start = new TaskCompletionSource();
        var writes = Enumerable.Range(0, 40).Select(async i =>
        {
            await start.Task;
            await SetAsync(Other, $"w{i}");
            // Whatever the other writes did meanwhile, this write is acknowledged: the node sees it or a newer one.
            using (Node.Begin())
            {
                var seen = await ReadAsync(Node);
                Assert.StartsWith("w", seen);
            }
        }).ToArray();
        start.SetResult();
        await Task.WhenAll(writes);
        var last = await Other.ReadAsync(session => session.ScalarAsync("SELECT v FROM t WHERE k = 1"));
        using (Node.Begin()) Assert.Equal(last, await ReadAsync(Node));
    }

    [Fact]
    public async Task A_write_waits_for_a_listed_node_that_does_not_answer_until_its_lease_runs_out()
    {
        await SettledAsync();
        // A node that listed itself and went silent (stopped, or cut off): it never answers a notice.
        await Node.WriteAsync(session => session.ExecuteAsync(
            $"INSERT INTO {ChangeFeed.Table} (id, lease_until) VALUES ('silent', now() + interval '3 seconds')"));
        // Both nodes list it at their next renewal.
        await Task.Delay(ChangeFeed.Renewal * 3);
        var watch = Stopwatch.StartNew();
        await SetAsync(Other, "waited");
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.3), TimeSpan.FromSeconds(10));
        Assert.True(Other.Feed.Resent > 0);
        using (Node.Begin()) Assert.Equal("waited", await ReadAsync(Node));

        // Its lease over, nobody waits for it.
        watch.Restart();
        await SetAsync(Other, "quick");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed} (a lease is 3 s)");
        using (Node.Begin()) Assert.Equal("quick", await ReadAsync(Node));
    }

    [Fact]
    public async Task A_node_that_loses_its_channel_stops_vouching_comes_back_as_a_new_node_and_misses_no_write()
    {
        await SettledAsync();
        var before = Node.Feed.Id;
        await PostgresTestDatabase.ExecuteAsync(PostgresTestDatabase.AdminConnection!,
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{ChangeFeed.ApplicationName}' AND datname = current_database()".Replace(
                "current_database()", $"'{new Npgsql.NpgsqlConnectionStringBuilder(Connection).Database}'"));
        var watch = Stopwatch.StartNew();
        var sawUnvouched = false;
        var i = 0;
        // Writes on one node, reads on the other, across the loss, the return and the settling of both.
        while (watch.Elapsed < TimeSpan.FromSeconds(20) && !(sawUnvouched && Node.Vouching && Other.Vouching && Node.Feed.Id != before))
        {
            sawUnvouched |= !Node.Vouching;
            await SetAsync(Other, $"x{++i}");
            using (Node.Begin()) Assert.Equal($"x{i}", await ReadAsync(Node));
            await Task.Delay(20);
        }
        Assert.True(sawUnvouched, "the node went on vouching after its channel was cut");
        Assert.NotEqual(before, Node.Feed.Id);
        Assert.True(Node.Vouching && Other.Vouching, "the nodes did not settle again");
    }

    [Fact]
    public async Task A_node_just_started_does_not_vouch_before_every_writer_lists_it()
    {
        await SettledAsync();
        // One writer alone: its writes tell nobody.
        await Node.DisposeAsync();
        Node = new PostgresDatabase(Connection);
        await using var third = new PostgresDatabase(Connection);
        Assert.Equal("one", await ReadAsync(third));
        // For up to a renewal the writer does not list the new node, so its writes neither notify it nor wait for it.
        var watch = Stopwatch.StartNew();
        var i = 0;
        while (watch.Elapsed < ChangeFeed.Settle * 2)
        {
            await SetAsync(Other, $"n{++i}");
            using (third.Begin()) Assert.Equal($"n{i}", await ReadAsync(third));
            await Task.Delay(5);
        }
        Assert.True(third.Vouching);
    }

    [Fact]
    public async Task A_node_that_leaves_is_not_waited_for()
    {
        await SettledAsync();
        await Other.DisposeAsync();
        Assert.True(await ListedAsync(1));
        var watch = Stopwatch.StartNew();
        await SetAsync(Node, "alone");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed} (a lease is 3 s)");
        Assert.Equal(0, Node.Feed.Resent);
        Other = new PostgresDatabase(Connection);
    }
}
