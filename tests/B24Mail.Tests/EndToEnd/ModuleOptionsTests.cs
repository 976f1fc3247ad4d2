using System.Diagnostics;
using System.Text.Json;

namespace B24Mail.Tests.EndToEnd;

/// <summary>Each module binds and checks its own settings from the one configuration, when the server or a command starts.</summary>
public sealed class ModuleOptionsTests
{
    [Theory]
    [InlineData("--rate-limit-burst", "-1", "B24MAIL_RATELIMITBURST")]      // Rest: limits
    [InlineData("--access-token-lifetime", "0", "B24MAIL_ACCESSTOKENLIFETIME")] // Rest: OAuth
    [InlineData("--icon-max-dimension", "0", "B24MAIL_ICONMAXDIMENSION")]   // MailServices
    [InlineData("--icon-store", "nowhere", "B24MAIL_ICONSTORE")]           // Storage
    [InlineData("--max-body-bytes", "0", "B24MAIL_MAXBODYBYTES")]          // the server itself
    public async Task A_bad_value_ends_the_server_with_one_line_naming_the_setting(string option, string value, string environment)
    {
        var (code, output, error) = await RunAsync(null, "--data", LiveServer.NewDataDir(), "--urls", "http://127.0.0.1:0", option, value);
        AssertOneLineNaming(code, output, error, option);

        // The same from the environment, for a command.
        (code, output, error) = await RunAsync(new() { [environment] = value }, "user", "list", "--data", LiveServer.NewDataDir());
        AssertOneLineNaming(code, output, error, option);
    }

    private static void AssertOneLineNaming(int code, string output, string error, string option)
    {
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith(option + " ", error);
    }

    [Fact]
    public async Task A_setting_comes_from_the_data_folder_file_then_the_environment_then_the_command_line()
    {
        var data = LiveServer.NewDataDir();
        await LiveServer.PrepareDataDirAsync(data);
        var file = Path.Combine(data, "b24mail.json");
        var json = File.Exists(file) ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await File.ReadAllTextAsync(file))! : [];
        json["AccessTokenLifetime"] = JsonSerializer.SerializeToElement(100);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(json));
        var (code, output, error) = await RunAsync(null, "app", "add", "--name", "A", "--scope", "mailservice", "--redirect-uri", "https://a.example/cb", "--data", data);
        Assert.True(code == 0, error);
        var clientId = JsonDocument.Parse(output).RootElement.GetProperty("client_id").GetString()!;

        Assert.Equal(100, await ExpiresInAsync(null));
        Assert.Equal(200, await ExpiresInAsync(new() { ["B24MAIL_ACCESSTOKENLIFETIME"] = "200" }));
        Assert.Equal(300, await ExpiresInAsync(new() { ["B24MAIL_ACCESSTOKENLIFETIME"] = "200" }, "--access-token-lifetime", "300"));

        async Task<long> ExpiresInAsync(Dictionary<string, string>? environment, params string[] more)
        {
            var (issued, token, problem) = await RunAsync(environment, ["token", "issue", "--app", clientId, "--user", "1", "--data", data, .. more]);
            Assert.True(issued == 0, problem);
            return JsonDocument.Parse(token).RootElement.GetProperty("expires_in").GetInt64();
        }
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(Dictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "b24mail.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? []) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }
}
