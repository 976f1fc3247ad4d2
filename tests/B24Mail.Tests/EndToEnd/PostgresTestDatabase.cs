using Npgsql;

namespace B24Mail.Tests.EndToEnd;

/// <summary>Fresh, empty PostgreSQL databases on the server B24MAIL_TEST_POSTGRES names (an account that may create databases).</summary>
public static class PostgresTestDatabase
{
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
        var name = "b24test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }
}
