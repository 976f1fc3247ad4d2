using B24Mail.Storage.Postgres;

namespace B24Mail.Tests.Unit;

/// <summary>The per-node connection pool: small enough by default that several nodes fit one PostgreSQL.</summary>
public class PostgresPoolTests
{
    private static async Task<int> PoolSizeAsync(string connectionString)
    {
        // Building the data source opens no connection, so no server is needed.
        await using var database = new PostgresDatabase(connectionString);
        return database.MaxPoolSize;
    }

    [Fact]
    public async Task Without_a_setting_the_pool_lets_four_nodes_share_a_default_server()
    {
        Assert.Equal(20, await PoolSizeAsync("Host=db;Username=u;Password=p;Database=d"));
        // max_connections 100, of which superuser_reserved_connections keeps 3; some left for administrators.
        Assert.True(4 * (PostgresDatabase.DefaultMaxPoolSize + PostgresDatabase.OwnConnections) <= 100 - 3 - 5);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=100", 100)]
    [InlineData("Host=db;Maximum Pool Size=7", 7)]
    [InlineData("Host=db;maxpoolsize=35", 35)]
    [InlineData("Host=db;Minimum Pool Size=30", 30)]
    public async Task A_pool_size_the_connection_string_sets_is_kept(string connectionString, int expected) =>
        Assert.Equal(expected, await PoolSizeAsync(connectionString));
}
