using System.Net;
using B24Mail.Tests.ControlPlane;

namespace B24Mail.Tests.EndToEnd;

/// <summary>state export, state import and reset: the control plane's state features from the command line, on a data folder.</summary>
public sealed class StateCommandTests
{
    [Fact]
    public async Task State_export_prints_what_the_api_exports_and_writes_it_to_a_file()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AddServiceAsync(new { NAME = "logo", ICON = Convert.ToBase64String(Images.Png()) });
        var (code, output, error) = await CommandTests.RunAsync("state", "export", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal(await server.ExportAsync(), output);
        var file = Path.Combine(LiveServer.NewDataDir(), "out", "state.json");
        (code, output, error) = await CommandTests.RunAsync("state", "export", "--out", file, "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal("", output);
        Assert.Equal(await server.ExportAsync(), File.ReadAllText(file));
    }

    /// <summary>Export, import into an empty data folder, export: the same document; and the server started there prints the document's webhook.</summary>
    [Fact]
    public async Task State_import_into_an_empty_folder_round_trips_exactly()
    {
        await using var server = await LiveServer.StartAsync();
        await server.ImportOkAsync(StateKit.Sample());
        var added = await server.PostJsonAsync(server.HttpsBase + "/rest/1/acmesecret000001/mailservice.add", new { NAME = "added", ICON = Convert.ToBase64String(Images.Gif()) });
        Assert.Equal(HttpStatusCode.OK, added.Status);
        var exported = await server.ExportAsync();
        var file = StateKit.WriteDocument(StateKit.Parse(exported));

        var empty = LiveServer.NewDataDir();
        await LiveServer.PrepareDataDirAsync(empty);
        var (code, output, error) = await CommandTests.RunAsync("state", "import", file, "--data", empty);
        Assert.True(code == 0, error);
        Assert.Equal("acme", output.Trim());
        (code, output, error) = await CommandTests.RunAsync("state", "export", "--data", empty);
        Assert.True(code == 0, error);
        Assert.Equal(exported, output);

        // A document of plain secrets names the URL a start then prints.
        var plain = StateKit.WriteDocument(StateKit.Sample());
        (code, _, error) = await CommandTests.RunAsync("state", "import", plain, "--data", empty);
        Assert.True(code == 0, error);
        await using var started = await LiveServer.StartAsync(empty, []);
        Assert.Equal(started.HttpsBase + "/rest/1/acmesecret000001/", started.Webhook);
        Assert.Equal(HttpStatusCode.OK, (await started.GetAsync(started.Webhook + "mailservice.list")).Status);
    }

    [Fact]
    public async Task State_import_of_a_bad_document_names_every_problem_and_changes_nothing()
    {
        await using var server = await LiveServer.StartAsync();
        var before = await server.ExportAsync();
        var document = StateKit.Sample();
        document["portals"]![0]!["webhooks"]![1]!["user"] = 5;
        document["portals"]![0]!["logos"]![0]!.AsObject().Remove("base64");
        document["portals"]![0]!["logos"]![0]!["path"] = "../../../../etc/passwd";
        var (code, output, error) = await CommandTests.RunAsync("state", "import", StateKit.WriteDocument(document), "--data", server.DataDir);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("$.portals[0].webhooks[1].user: names user 5", error);
        Assert.Contains("$.portals[0].logos[0].path: leaves the document's folder", error);
        Assert.Equal(before, await server.ExportAsync());
        (code, _, error) = await CommandTests.RunAsync("state", "import", Path.Combine(LiveServer.NewDataDir(), "missing.json"), "--data", server.DataDir);
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Reset_from_the_command_line_returns_the_stored_state_to_its_baseline()
    {
        await using var server = await LiveServer.StartAsync();
        var baseline = await server.ExportAsync();
        var added = await server.AddServiceAsync(new { NAME = "added" });
        var (code, output, error) = await CommandTests.RunAsync("reset", "--portal", "default", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal("default\treset", output.Trim());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync(server.Webhook + $"mailservice.get?ID={added}")).Status);
        Assert.Equal(baseline, await server.ExportAsync());

        await server.PortalAsync("later", "later.test");
        (code, output, error) = await CommandTests.RunAsync("reset", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal(["default\treset", "later\tremoved"], output.Trim().Split('\n'));
        Assert.Equal(baseline, await server.ExportAsync());

        (code, output, error) = await CommandTests.RunAsync("reset", "--portal", "nowhere", "--data", server.DataDir);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("No portal 'nowhere'", error);
    }

    [Fact]
    public async Task Reset_on_a_folder_that_never_started_has_nothing_to_return_to()
    {
        var data = LiveServer.NewDataDir();
        await LiveServer.PrepareDataDirAsync(data);
        var (code, _, error) = await CommandTests.RunAsync("user", "add", "--name", "Ada", "--data", data);
        Assert.True(code == 0, error);
        (code, _, error) = await CommandTests.RunAsync("reset", "--data", data);
        Assert.Equal(1, code);
        Assert.Contains("no baseline", error);
        (code, var output, _) = await CommandTests.RunAsync("user", "list", "--data", data);
        Assert.Equal(0, code);
        Assert.Contains("Ada", output);
    }

    /// <summary>After a seed without portal "default", commands do not make it behind the state's back.</summary>
    [Fact]
    public async Task Commands_on_a_seeded_folder_do_not_make_the_default_portal()
    {
        await using var server = await LiveServer.StartAsync("--seed", StateKit.WriteDocument(StateKit.Sample()));
        var (code, output, error) = await CommandTests.RunAsync("user", "add", "--name", "Ada", "--data", server.DataDir);
        Assert.Equal(1, code);
        Assert.Contains("No portal 'default'", error);
        (code, output, error) = await CommandTests.RunAsync("user", "add", "--name", "Ada", "--portal", "acme", "--data", server.DataDir);
        Assert.True(code == 0, error);
        Assert.Equal("3", output.Trim());
        (code, output, _) = await CommandTests.RunAsync("portal", "list", "--data", server.DataDir);
        Assert.Equal(0, code);
        Assert.StartsWith("acme\t", output.Trim());
        Assert.Single(output.Trim().Split('\n'));
    }
}
