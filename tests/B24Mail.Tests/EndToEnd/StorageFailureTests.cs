using System.Net;
using B24Mail.Rest.Health;
using B24Mail.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// A full disk or a folder that cannot be written: every write answers the documented 500, the log says so
/// once when it starts and once when it ends (no stack trace per request), and /health tells a balancer.
/// </summary>
public sealed class StorageFailureTests
{
    private const string Envelope = """{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal server error"}""";

    private static async Task<(LiveServer Server, LogSink Log, ManualClock Clock)> StartAsync()
    {
        var sink = new LogSink();
        var clock = new ManualClock();
        var server = await LiveServer.StartAsync(LiveServer.NewDataDir(), [], clock, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(sink);
        });
        return (server, sink, clock);
    }

    /// <summary>Once the cause is gone, a failure ends with the first write past the quiet period.</summary>
    private static void PassTheQuietPeriod(ManualClock clock) => clock.Advance(StorageHealth.RecoveryQuietPeriod + TimeSpan.FromSeconds(1));

    private static Task<RestResponse> AddAsync(LiveServer server, bool withLogo = false) => withLogo
        ? server.PostJsonAsync(server.Webhook + "mailservice.add", new { NAME = "Corp", ICON = new[] { "logo.png", Convert.ToBase64String(Images.Png()) } })
        : server.PostJsonAsync(server.Webhook + "mailservice.add", new { NAME = "Corp IMAP", SERVER = "imap.corp.example", PORT = 993 });

    /// <summary>
    /// The database cannot grow. SQLite: the file may not get a page larger than it is now, which fails a
    /// write with SQLITE_FULL as a full disk does; <paramref name="write"/> then runs until rows no longer fit
    /// into the free space left in the pages. PostgreSQL: inserts into <paramref name="table"/> fail with its
    /// disk_full error.
    /// </summary>
    private static async Task FillTheDiskAsync(LiveServer server, string table, Func<Task<HttpStatusCode>> write)
    {
        var database = server.Services.GetRequiredService<IDatabase>();
        if (database.Dialect == SqlDialect.Sqlite)
        {
            await database.WriteAsync(async session => await session.ExecuteAsync($"PRAGMA max_page_count = {(long)(await session.ScalarAsync("PRAGMA page_count"))!}"));
            // The first write that needs a new page fails, and so does every one like it after it.
            for (var i = 0; await write() != HttpStatusCode.InternalServerError; i++) Assert.True(i < 10_000, "the database kept growing");
            return;
        }
        await database.WriteAsync(session => session.ExecuteAsync($"""
            CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;
            CREATE TRIGGER full_disk BEFORE INSERT ON {table} FOR EACH STATEMENT EXECUTE FUNCTION full_disk();
            """));
    }

    private static Task FreeTheDiskAsync(LiveServer server, string table)
    {
        var database = server.Services.GetRequiredService<IDatabase>();
        return database.WriteAsync(session => session.ExecuteAsync(database.Dialect == SqlDialect.Sqlite
            ? "PRAGMA max_page_count = 1073741823"
            : $"DROP TRIGGER full_disk ON {table}"));
    }

    private static async Task<(HttpStatusCode Status, string Body)> HealthAsync(LiveServer server)
    {
        var response = await server.Client.GetAsync(server.HttpsBase + "/health");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertQuietLog(LogSink log, int failedLines, int recoveredLines)
    {
        var lines = string.Join("\n", log.Lines);
        Assert.True(failedLines == log.Entries.Count(e => e.Message.Contains("Storage failed")), lines);
        Assert.True(recoveredLines == log.Entries.Count(e => e.Message.Contains("Storage recovered")), lines);
        Assert.True(log.Entries.All(e => e.Exception is null && !e.Message.Contains("   at ")), lines);
    }

    [Fact]
    public async Task A_full_disk_answers_500_logs_one_line_and_health_says_so_until_it_is_fixed()
    {
        var (server, log, clock) = await StartAsync();
        await using var _ = server;
        Assert.Equal((HttpStatusCode.OK, "OK"), await HealthAsync(server));

        await FillTheDiskAsync(server, "mail_services", async () => (await AddAsync(server)).Status);
        for (var i = 0; i < 20; i++)
        {
            var response = await AddAsync(server);
            Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
            Assert.Equal(Envelope, response.Raw);
        }
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "storage unavailable: disk full"), await HealthAsync(server));
        // Reads still work meanwhile.
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.get?ID=1")).Status);
        AssertQuietLog(log, failedLines: 1, recoveredLines: 0);

        await FreeTheDiskAsync(server, "mail_services");
        PassTheQuietPeriod(clock);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await AddAsync(server)).Status);
        Assert.Equal((HttpStatusCode.OK, "OK"), await HealthAsync(server));
        AssertQuietLog(log, failedLines: 1, recoveredLines: 1);
    }

    [Fact]
    public async Task Consent_on_a_full_disk_answers_500_and_logs_one_line()
    {
        var (server, log, clock) = await StartAsync();
        await using var _ = server;
        var app = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        using var client = OAuthTestKit.NoRedirectClient(server);
        async Task<HttpResponseMessage> ApproveAsync() =>
            await client.GetAsync($"{server.HttpsBase}/oauth/authorize/?client_id={app.App.ClientId}&state=s&user_id=1&approve=Y");

        // Each approval also records the login, an update in place that a full disk still takes: the
        // successes between the failures must not end the condition, or the log would flap.
        await FillTheDiskAsync(server, "oauth_codes", async () => (await ApproveAsync()).StatusCode);
        for (var i = 0; i < 20; i++)
        {
            var response = await ApproveAsync();
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal(Envelope, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "storage unavailable: disk full"), await HealthAsync(server));
        AssertQuietLog(log, failedLines: 1, recoveredLines: 0);

        await FreeTheDiskAsync(server, "oauth_codes");
        PassTheQuietPeriod(clock);
        Assert.Equal(HttpStatusCode.Redirect, (await ApproveAsync()).StatusCode);
        AssertQuietLog(log, failedLines: 1, recoveredLines: 1);
    }

    [Fact]
    public async Task A_logo_folder_that_cannot_be_written_answers_500_and_is_logged_once()
    {
        var (server, log, clock) = await StartAsync();
        await using var _ = server;
        // A file where the logos' folder goes: no folder can be made there, whoever the server runs as.
        var blocker = Path.Combine(server.DataDir, "portals");
        await File.WriteAllBytesAsync(blocker, [], TestContext.Current.CancellationToken);

        for (var i = 0; i < 20; i++)
        {
            var response = await AddAsync(server, withLogo: true);
            Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
            Assert.Equal(Envelope, response.Raw);
        }
        var (status, body) = await HealthAsync(server);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("storage unavailable: ", body);
        // A service without a logo writes only to the database, which works: the folder is still broken.
        PassTheQuietPeriod(clock);
        Assert.Equal(HttpStatusCode.OK, (await AddAsync(server)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await HealthAsync(server)).Status);
        AssertQuietLog(log, failedLines: 1, recoveredLines: 0);

        File.Delete(blocker);
        PassTheQuietPeriod(clock);
        Assert.Equal(HttpStatusCode.OK, (await AddAsync(server, withLogo: true)).Status);
        Assert.Equal((HttpStatusCode.OK, "OK"), await HealthAsync(server));
        AssertQuietLog(log, failedLines: 1, recoveredLines: 1);
    }

    [Fact]
    public async Task The_server_and_the_commands_refuse_a_data_folder_they_cannot_write_in_one_line()
    {
        var parent = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "b24mail-tests")).FullName;
        // A file in place of the folder: not writable as a folder even by root, as tests here run.
        var data = Path.Combine(parent, Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(data, "", TestContext.Current.CancellationToken);
        try
        {
            foreach (var args in new[] { new[] { "--data", data, "--urls", "https://127.0.0.1:0" }, ["user", "list", "--data", data] })
            {
                var (code, output, error) = await CommandTests.RunAsync(args);
                Assert.Equal(1, code);
                Assert.Equal("", output);
                var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.Contains($"Cannot write to the data folder {data}", line);
            }
        }
        finally
        {
            File.Delete(data);
        }
    }

    [Fact]
    public async Task The_server_refuses_a_database_file_it_may_not_write_in_one_line()
    {
        var data = LiveServer.NewDataDir();
        var (code, _, error) = await CommandTests.RunAsync("user", "list", "--data", data);
        Assert.True(code == 0, error);
        var database = Path.Combine(data, "b24mail.db");
        // Immutable: not writable even by root, as tests here run. SQLite then quietly opens it read-only.
        if (!await ChattrAsync("+i", database)) Assert.Skip("chattr +i does not work here (not root, or a file system without the flag).");
        try
        {
            (code, var output, error) = await CommandTests.RunAsync("--data", data, "--urls", "https://127.0.0.1:0");
            Assert.Equal(1, code);
            Assert.Equal("", output);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"The database {database} is read-only.", line);
        }
        finally
        {
            await ChattrAsync("-i", database);
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<bool> ChattrAsync(string flag, string path)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
            await process.WaitForExitAsync();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
