using System.Collections.Concurrent;
using Npgsql;

[assembly: AssemblyFixture(typeof(B24Mail.Tests.EndToEnd.PostgresTestDatabase.Cleanup))]

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// Fresh, empty PostgreSQL databases on the server B24MAIL_TEST_POSTGRES names (an account that may create
/// databases). Each is dropped when its owner is done with it, or else at the end of the run, so runs do not
/// pile up databases on a shared server.
/// </summary>
public static class PostgresTestDatabase
{
    public const string Prefix = "b24test_";

    // Every database this run created and has not dropped yet.
    private static readonly ConcurrentDictionary<string, byte> Created = new();

    public static string? AdminConnection => Environment.GetEnvironmentVariable("B24MAIL_TEST_POSTGRES");

    /// <summary>Tests that need PostgreSQL skip, saying why, where none is configured; test.sh and CI configure one.</summary>
    public static string RequireAdmin()
    {
        if (string.IsNullOrEmpty(AdminConnection)) Assert.Skip("B24MAIL_TEST_POSTGRES is not set: no PostgreSQL to test against (test.sh sets it up).");
        return AdminConnection!;
    }

    public static async Task<string> CreateAsync()
    {
        var admin = RequireAdmin();
        var name = Prefix + Guid.NewGuid().ToString("N");
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"");
        Created.TryAdd(name, 0);
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>
    /// Drops a database <see cref="CreateAsync"/> made, given its connection string. FORCE ends the sessions
    /// still open on it (pooled connections of a stopped server), which would otherwise block the drop.
    /// </summary>
    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        if (name is null || !Created.TryRemove(name, out _) || AdminConnection is not { } admin) return;
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    /// <summary>Runs SQL (one statement or many) on a connection of its own, which is closed after it.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        // No pooling: an idle admin connection left behind would outlive the run for nothing, and a session
        // setting the SQL made (a dump empties search_path) must not reach the next user of the connection.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs once for the whole test assembly; at its end, drops what no owner dropped (shared or contract databases).</summary>
    public sealed class Cleanup : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var name in Created.Keys)
            {
                var builder = new NpgsqlConnectionStringBuilder(AdminConnection) { Database = name };
                await DropAsync(builder.ConnectionString);
            }
        }
    }
}
