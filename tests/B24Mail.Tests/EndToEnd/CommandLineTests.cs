using System.Diagnostics;
using B24Mail.Server.Hosting;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// The command line is declared, not guessed: whatever the parser refuses is exit 2, one line naming it on
/// stderr, and nothing written, for the server and every command.
/// </summary>
public sealed class CommandLineTests
{
    /// <summary>Per command: a line it accepts, an option of its own that takes a value, and a bad value of one of its options.</summary>
    private static readonly (string[] Valid, string Valued, string[] Bad, string BadName)[] Commands =
    [
        ([], "--domain", ["--rate-limit", "maybe"], "--rate-limit"),
        (["serve"], "--tls-cert", ["--max-body-bytes", "lots"], "--max-body-bytes"),
        (["portal", "add", "--code", "c1", "--domain", "c1.example"], "--language", ["--code", "c 1"], "--code"),
        (["portal", "set", "--code", "c1", "--license", "pro"], "--language", ["--license", "gold"], "--license"),
        (["portal", "list"], "--portal", ["--presets", "maybe"], "--presets"),
        (["portal", "limit", "--code", "c1", "--off"], "--burst", ["--icon-max-bytes", "x"], "--icon-max-bytes"),
        (["user", "add", "--name", "Ada"], "--email", ["--access-token-lifetime", "1.5"], "--access-token-lifetime"),
        (["user", "list"], "--url", ["--operating-limit", "soon"], "--operating-limit"),
        (["user", "activate", "--user", "2"], "--user", ["--user", "0"], "--user"),
        (["user", "deactivate", "--user", "2"], "--user", ["--user", "two"], "--user"),
        (["webhook", "add", "--user", "1", "--scope", "mailservice"], "--expires-in", ["--expires-in", "abc"], "--expires-in"),
        (["webhook", "list"], "--portal", ["--oauth-consent", "perhaps"], "--oauth-consent"),
        (["webhook", "remove", "--id", "1"], "--id", ["--id", "-3"], "--id"),
        (["webhook", "deactivate", "--id", "1"], "--id", ["--id", "0"], "--id"),
        (["app", "add", "--name", "A", "--scope", "mailservice", "--redirect-uri", "https://a.example/cb"], "--redirect-uri", ["--redirect-uri", "ftp://a.example/"], "--redirect-uri"),
        (["token", "issue", "--app", "local.x", "--user", "1"], "--app", ["--user", "abc"], "--user"),
        (["state", "export"], "--out", ["--rate-limit", "maybe"], "--rate-limit"),
        (["state", "import", "state.json"], "--domain", ["--max-body-bytes", "many"], "--max-body-bytes"),
        (["reset"], "--portal", ["--presets", "perhaps"], "--presets"),
        (["reset", "--portal", "default"], "--tls-cert", ["--journal-size", "big"], "--journal-size"),
    ];

    public static TheoryData<int> Each => new(Enumerable.Range(0, Commands.Length));

    [Theory]
    [MemberData(nameof(Each))]
    public Task An_unknown_option_is_a_usage_error_that_writes_nothing(int index) =>
        AssertRefusedAsync([.. Commands[index].Valid, "--admn"], "--admn");

    [Theory]
    [MemberData(nameof(Each))]
    public Task A_missing_value_is_a_usage_error_that_writes_nothing(int index) =>
        AssertRefusedAsync([.. Without(Commands[index].Valid, Commands[index].Valued), Commands[index].Valued], Commands[index].Valued);

    [Theory]
    [MemberData(nameof(Each))]
    public Task A_bad_value_is_a_usage_error_that_writes_nothing(int index) =>
        AssertRefusedAsync([.. Without(Commands[index].Valid, Commands[index].BadName), .. Commands[index].Bad], Commands[index].BadName);

    /// <summary>The line less the option's valid value, so that the option under test is the only thing wrong.</summary>
    private static string[] Without(string[] line, string option) =>
        line.Where((word, i) => word != option && (i == 0 || line[i - 1] != option)).ToArray();

    private static async Task AssertRefusedAsync(string[] args, string named)
    {
        var data = LiveServer.NewDataDir();
        // The settings go first: the option under test is last, where a missing value is missing.
        var (code, output, error) = await CommandTests.RunAsync(["--data", data, "--urls", "http://127.0.0.1:0", .. args]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(named, error);
        Assert.False(Directory.Exists(data), "the data folder was created");
    }

    [Fact]
    public async Task A_typo_no_longer_swallows_the_next_option_and_makes_a_user_elsewhere()
    {
        var folder = LiveServer.NewDataDir();
        Directory.CreateDirectory(folder);
        var (code, output, error) = await RunInAsync(folder, "user", "add", "--name", "Ada", "--admn", "--data", "./other");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--admn", error);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
        Directory.Delete(folder, true);
    }

    [Fact]
    public async Task A_misspelt_expiry_makes_no_webhook_that_never_expires()
    {
        await using var server = await LiveServer.StartAsync();
        var before = await CommandTests.RunAsync("webhook", "list", "--data", server.DataDir);
        var (code, output, error) = await CommandTests.RunAsync("webhook", "add", "--user", "1", "--scope", "mailservice", "--expires-n", "60", "--data", server.DataDir);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--expires-n", error);
        Assert.Equal(before.Out, (await CommandTests.RunAsync("webhook", "list", "--data", server.DataDir)).Out);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("serve", "--help")]
    [InlineData("webhook", "add", "--help")]
    public async Task Help_lists_every_setting_with_its_environment_variable(params string[] args)
    {
        var (code, output, _) = await CommandTests.RunAsync(args);
        Assert.Equal(0, code);
        var lines = output.Split('\n');
        foreach (var setting in SettingOptions.Declare())
        {
            Assert.Contains(lines, line => line.TrimStart().StartsWith(setting.Option.Name + " <", StringComparison.Ordinal) && line.Contains(setting.Environment) && line.Contains("default"));
        }
    }

    private static Task<(int Code, string Out, string Err)> RunInAsync(string folder, params string[] args) => CommandTests.RunInAsync(folder, args);
}
