using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using B24Mail.Server.Hosting;
using B24Mail.Storage.State;
using B24Mail.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.ControlPlane;

/// <summary>--seed FILE: the first start applies a state document instead of the built-in defaults, once.</summary>
public sealed class SeedTests : IClassFixture<ServerFixture>
{
    private readonly LiveServer _shared;

    public SeedTests(ServerFixture fixture) => _shared = fixture.Server;

    /// <summary>The sample with its logo as a file beside the document.</summary>
    private static string SeedWithLogoFile(out byte[] logo)
    {
        logo = Images.Png(6, 6);
        var document = StateKit.Sample();
        var entry = document["portals"]![0]!["logos"]![0]!.AsObject();
        entry.Remove("base64");
        entry.Remove("fileName");
        entry["path"] = "logos/acme logo.png";
        return StateKit.WriteDocument(document, ("logos/acme logo.png", logo));
    }

    [Fact]
    public async Task The_first_start_applies_the_seed_and_prints_its_webhook()
    {
        var seed = SeedWithLogoFile(out var logo);
        await using var server = await LiveServer.StartAsync("--seed", seed);
        Assert.Equal(server.HttpsBase + "/rest/1/acmesecret000001/", server.Webhook);
        Assert.Equal("/rest/1/acmesecret000001/", File.ReadAllText(Path.Combine(server.DataDir, "webhook.txt")).Trim());
        var exported = StateKit.Parse(await server.ExportAsync());
        Assert.Equal(["acme"], exported["portals"]!.AsArray().Select(p => (string)p!["code"]!));
        Assert.Equal("acme_logo.png", (string)exported["portals"]![0]!["logos"]![0]!["fileName"]!);
        var service = await server.GetAsync(server.Webhook + "mailservice.get?ID=100");
        var icon = await server.Client.GetAsync(service.Result.GetProperty("ICON").GetString());
        Assert.Equal(logo, await icon.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", icon.Content.Headers.ContentType?.MediaType);
        // No presets were added to the seeded portal: its one active service (205 is inactive) is all the list has.
        Assert.Equal(1, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetArrayLength());
    }

    /// <summary>README's example document, with an image at the path it names, seeds a server as written.</summary>
    [Fact]
    public async Task The_readme_example_seeds_as_written()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "README.md"))) folder = Path.GetDirectoryName(folder) ?? throw new FileNotFoundException("README.md");
        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));
        var section = readme[readme.IndexOf("### State document", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        var example = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var seed = StateKit.WriteDocument(StateKit.Parse(example), ("logos/acme.png", Images.Png()));
        await using var server = await LiveServer.StartAsync("--seed", seed);
        Assert.Equal(server.HttpsBase + "/rest/1/acmesecret000001/", server.Webhook);
        Assert.Equal("Acme Mail", (await server.GetAsync(server.Webhook + "mailservice.list")).Result[0].GetProperty("NAME").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.HttpsBase + "/rest/2/bobsecret0000001/mailservice.get?ID=2")).Status);
    }

    [Fact]
    public async Task Later_starts_keep_the_state_and_apply_no_seed()
    {
        var seed = SeedWithLogoFile(out _);
        await using var server = await LiveServer.StartAsync("--seed", seed);
        var added = await server.AddServiceAsync(new { NAME = "kept" });
        await server.RestartAsync("--seed", seed);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + $"mailservice.get?ID={added}")).Status);
        Assert.Equal(server.HttpsBase + "/rest/1/acmesecret000001/", server.Webhook);
        await server.RestartAsync(Array.Empty<string>());
        Assert.Equal(server.HttpsBase + "/rest/1/acmesecret000001/", server.Webhook);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + $"mailservice.get?ID={added}")).Status);
    }

    /// <summary>The seed is committed before webhook.txt is written; a start killed between the two is finished by the next.</summary>
    [Fact]
    public async Task A_seeded_start_cut_short_before_the_webhook_file_is_finished_by_the_next()
    {
        var seed = SeedWithLogoFile(out _);
        await using var server = await LiveServer.StartAsync("--seed", seed);
        var file = Path.Combine(server.DataDir, "webhook.txt");
        File.Delete(file);
        File.WriteAllText(file + ".0123456789abcdef.tmp", "/rest/1/acmesecret0");
        await server.RestartAsync("--seed", seed);
        Assert.Equal(server.HttpsBase + "/rest/1/acmesecret000001/", server.Webhook);
        Assert.True(File.Exists(file));
        Assert.False(File.Exists(file + ".0123456789abcdef.tmp"));
        // Without the seed the secret is known nowhere: no URL, rather than a made-up webhook.
        File.Delete(file);
        await server.RestartAsync(Array.Empty<string>());
        Assert.Equal("", server.Webhook);
        Assert.Single(StateKit.Parse(await server.ExportAsync())["portals"]![0]!["webhooks"]!.AsArray(), w => (int)w!["user"]! == 1);
    }

    [Fact]
    public async Task A_reset_returns_to_the_seed()
    {
        var seed = SeedWithLogoFile(out _);
        await using var server = await LiveServer.StartAsync("--seed", seed);
        var seeded = await server.ExportAsync();
        await server.AddServiceAsync(new { NAME = "added", ICON = Convert.ToBase64String(Images.Jpeg()) });
        await server.PostJsonAsync(server.Webhook + "mailservice.update", new { ID = 100, ICON = "" });
        await server.ResetOkAsync();
        Assert.Equal(seeded, await server.ExportAsync());
    }

    [Fact]
    public async Task A_bad_seed_stops_the_first_start_and_leaves_nothing_applied()
    {
        var document = StateKit.Sample();
        document["portals"]![0]!["webhooks"]![0]!["user"] = 9;
        var bad = StateKit.WriteDocument(document);
        var data = LiveServer.NewDataDir();
        var refused = await Assert.ThrowsAsync<StateDocumentException>(() => LiveServer.StartAsync(data, ["--seed", bad]));
        Assert.Contains(refused.Errors, e => e.Path == "$.portals[0].webhooks[0].user");
        await using var server = await LiveServer.StartAsync(data, ["--seed", StateKit.WriteDocument(StateKit.Sample())]);
        Assert.Equal(server.HttpsBase + "/rest/1/acmesecret000001/", server.Webhook);
    }

    /// <summary>The server as operators start it: a seed whose secrets are all hashes prints that there is no URL.</summary>
    [Fact]
    public async Task A_seed_without_a_plain_secret_prints_that_there_is_no_webhook_url()
    {
        var document = StateKit.Sample();
        var hook = document["portals"]![0]!["webhooks"]![0]!.AsObject();
        hook.Remove("secret");
        hook["secretSha256"] = StateKit.Sha256("acmesecret000001");
        var data = LiveServer.NewDataDir();
        await LiveServer.PrepareDataDirAsync(data);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "b24mail.dll"), "--data", data, "--urls", "http://127.0.0.1:0", "--seed", StateKit.WriteDocument(document) }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            string? line;
            do line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            while (line is not null && !line.StartsWith("Webhook URL:"));
            Assert.NotNull(line);
            Assert.StartsWith("Webhook URL: none", line);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public static TheoryData<string, string> EscapingPaths => new()
    {
        { "../outside.png", "leaves the document's folder" },
        { "logos/../../outside.png", "leaves the document's folder" },
        { "/etc/passwd", "relative" },
        { "link-out.png", "symbolic link" },
        { "dir-out/outside.png", "symbolic link" },
        { "missing.png", "names no file" },
        { "logos", "folder" },
        { "notes.txt", "not an image" },
    };

    /// <summary>A logo path may name only a file in the document's folder: no way out, by .., an absolute path or a link.</summary>
    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public void A_logo_path_may_not_leave_the_documents_folder(string path, string message)
    {
        var root = Path.Combine(Path.GetTempPath(), "b24mail-tests", "paths-" + Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(root, "doc");
        Directory.CreateDirectory(Path.Combine(folder, "logos"));
        Directory.CreateDirectory(Path.Combine(root, "elsewhere"));
        // A real image outside, so that only the path can be the reason for refusing it.
        File.WriteAllBytes(Path.Combine(root, "outside.png"), Images.Png());
        File.WriteAllBytes(Path.Combine(root, "elsewhere", "outside.png"), Images.Png());
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a picture");
        File.CreateSymbolicLink(Path.Combine(folder, "link-out.png"), Path.Combine(root, "outside.png"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "dir-out"), Path.Combine(root, "elsewhere"));
        var document = StateKit.Sample();
        var entry = document["portals"]![0]!["logos"]![0]!.AsObject();
        entry.Remove("base64");
        entry["path"] = path;
        var file = Path.Combine(folder, "state.json");
        File.WriteAllText(file, document.ToJsonString());

        var refused = Assert.Throws<StateDocumentException>(() => _shared.Services.GetRequiredService<Provisioning>().ReadSeed(file));
        var error = Assert.Single(refused.Errors);
        Assert.Equal("$.portals[0].logos[0].path", error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_link_that_stays_in_the_documents_folder_is_followed()
    {
        var folder = Path.Combine(Path.GetTempPath(), "b24mail-tests", "paths-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "real"));
        File.WriteAllBytes(Path.Combine(folder, "real", "logo.webp"), Images.Webp());
        File.CreateSymbolicLink(Path.Combine(folder, "logo.webp"), Path.Combine("real", "logo.webp"));
        var document = StateKit.Sample();
        var entry = document["portals"]![0]!["logos"]![0]!.AsObject();
        entry.Remove("base64");
        entry.Remove("fileName");
        entry["path"] = "logo.webp";
        var file = Path.Combine(folder, "state.json");
        File.WriteAllText(file, document.ToJsonString());
        var read = _shared.Services.GetRequiredService<Provisioning>().ReadSeed(file);
        Assert.Single(read.Portals);
    }

    /// <summary>Over the API the server has no document folder: a seed is read by the server from its own disk, a posted document never.</summary>
    [Fact]
    public async Task A_traversal_in_a_seed_stops_the_start()
    {
        var root = Path.Combine(Path.GetTempPath(), "b24mail-tests", "paths-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "doc"));
        File.WriteAllBytes(Path.Combine(root, "secret.png"), Images.Png());
        var document = StateKit.Sample();
        var entry = document["portals"]![0]!["logos"]![0]!.AsObject();
        entry.Remove("base64");
        entry["path"] = "../secret.png";
        var file = Path.Combine(root, "doc", "state.json");
        File.WriteAllText(file, document.ToJsonString());
        var refused = await Assert.ThrowsAsync<StateDocumentException>(() => LiveServer.StartAsync(LiveServer.NewDataDir(), ["--seed", file]));
        Assert.Contains(refused.Errors, e => e.Path == "$.portals[0].logos[0].path" && e.Message.Contains("leaves"));
    }
}
