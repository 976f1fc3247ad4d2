using System.Diagnostics;
using System.Net;

namespace B24Mail.Tests.EndToEnd;

/// <summary>The commands run as separate processes on the data folder of a running server, as scripts use them.</summary>
public sealed class CommandTests
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "b24mail.dll");

    internal static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunInAsync(null, args);

    /// <summary>Runs b24mail as its own process, in <paramref name="folder"/> (for relative paths) or here.</summary>
    internal static async Task<(int Code, string Out, string Err)> RunInAsync(string? folder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder ?? "" };
        start.ArgumentList.Add(ServerDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task User_and_webhook_commands_print_only_their_result_and_the_server_sees_them_at_once()
    {
        await using var server = await LiveServer.StartAsync();
        var (code, output, error) = await RunAsync("user", "add", "--name", "Ada", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal("2", output.Trim());

        (code, output, error) = await RunAsync("webhook", "add", "--user", "2", "--scope", "mailservice,user", "--data", server.DataDir, "--urls", server.HttpsBase);
        Assert.True(code == 0, error);
        var url = output.Trim();
        Assert.Matches(@"^https://127\.0\.0\.1:\d+/rest/2/[a-z0-9]{16}/$", url);
        Assert.Single(output.Trim().Split('\n'));

        var list = await server.GetAsync(url + "mailservice.list");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        // Ada is not an administrator.
        MailServiceMethodTests.AssertCoreError(await server.PostJsonAsync(url + "mailservice.add", new { NAME = "x" }), "Access denied");

        (code, output, _) = await RunAsync("user", "add", "--name", "Root", "--admin", "--data", server.DataDir);
        Assert.Equal(0, code);
        (code, output, _) = await RunAsync("webhook", "add", "--user", output.Trim(), "--scope", "mailservice", "--data", server.DataDir, "--urls", server.HttpsBase);
        Assert.Equal(0, code);
        Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(output.Trim() + "mailservice.add", new { NAME = "by root" })).Status);
    }

    [Fact]
    public async Task The_data_folder_also_comes_from_the_environment()
    {
        var data = LiveServer.NewDataDir();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ServerDll);
        foreach (var arg in new[] { "user", "add", "--name", "Env" }) start.ArgumentList.Add(arg);
        start.Environment["B24MAIL_DATA"] = data;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("2", output.Trim());
        Assert.True(File.Exists(Path.Combine(data, "b24mail.db")));
        Directory.Delete(data, true);
    }

    [Theory]
    [InlineData("webhook", "add", "--user", "1")]
    [InlineData("webhook", "add", "--user", "x", "--scope", "mailservice")]
    [InlineData("webhook", "add", "--user", "1", "--scope", "Mail Service")]
    [InlineData("user", "add")]
    [InlineData("user", "remove")]
    [InlineData("frobnicate")]
    public async Task Bad_command_lines_fail_with_usage_and_print_nothing_on_stdout(params string[] args)
    {
        var (code, output, error) = await RunAsync([.. args, "--data", LiveServer.NewDataDir()]);
        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.NotEqual("", error);
    }

    [Fact]
    public async Task A_webhook_for_a_missing_user_is_refused()
    {
        var data = LiveServer.NewDataDir();
        var (code, output, error) = await RunAsync("webhook", "add", "--user", "99", "--scope", "mailservice", "--data", data);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("99", error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("user", "--help")]
    [InlineData("webhook", "add", "--help")]
    public async Task Help_names_every_command_and_setting(params string[] args)
    {
        var (code, output, _) = await RunAsync(args);
        Assert.Equal(0, code);
        foreach (var word in new[] { "user", "webhook", "--data", "B24MAIL_DATA", "--urls", "--allow-http", "--presets", "--tls-cert", "--max-body-bytes", "--icon-max-bytes" })
        {
            Assert.Contains(word, output);
        }
    }

    [Fact]
    public async Task A_database_it_cannot_reach_ends_the_server_with_one_line_not_a_stack_trace()
    {
        // Port 1 on loopback refuses at once: nothing listens there.
        var (code, output, error) = await RunAsync("--data", LiveServer.NewDataDir(), "--urls", "http://127.0.0.1:0",
            "--postgres", "Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=3");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("Cannot use the database:", error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task A_port_already_taken_ends_the_server_with_one_line_not_a_stack_trace()
    {
        await using var server = await LiveServer.StartAsync();
        var (code, _, error) = await RunAsync("--data", LiveServer.NewDataDir(), "--urls", server.HttpBase, "--allow-http", "true");
        Assert.Equal(1, code);
        Assert.Contains(new Uri(server.HttpBase).Port.ToString(), error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.DoesNotContain("   at ", error);
    }
}
