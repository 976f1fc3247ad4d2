namespace B24Mail.Tests.EndToEnd;

/// <summary>Two server nodes on one fresh PostgreSQL database, each with its own data folder and port, started at the same moment.</summary>
public static class TwoNodes
{
    public static async Task<(LiveServer A, LiveServer B)> StartAsync(params string[] args)
    {
        PostgresTestDatabase.RequireAdmin();
        var connection = await PostgresTestDatabase.CreateAsync();
        var folders = new[] { LiveServer.NewDataDir(), LiveServer.NewDataDir() };
        foreach (var folder in folders)
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "b24mail.json"), System.Text.Json.JsonSerializer.Serialize(new { Postgres = connection }));
        }
        var nodes = await Task.WhenAll(folders.Select(folder => LiveServer.StartAsync(folder, args)));
        return (nodes[0], nodes[1]);
    }
}
