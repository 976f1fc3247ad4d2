using System.Net;
using System.Security.Cryptography;
using B24Mail.MailServices;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;
using B24Mail.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// A first start killed at any point (kill -9, power cut) is finished by the next start. Each state such a
/// kill leaves behind is made with the real stores on a real data folder, then the real server starts on it.
/// </summary>
public sealed class FirstStartTests
{
    public enum Interrupted
    {
        AfterMigrations,
        AfterPortal,
        AfterPresets,
        AfterWebhookRow,
        AfterTemporaryFile,
        AfterRenameBeforeContent,
    }

    private static readonly string[] PresetNames = ["gmail", "outlook.com", "icloud", "office365", "exchange", "yahoo", "aol", "other"];

    /// <summary>The stores on a data folder, opened as a command opens them.</summary>
    private static async Task<ServiceProvider> OpenStoresAsync(string dataDir)
    {
        await LiveServer.PrepareDataDirAsync(dataDir);
        var configuration = new ConfigurationBuilder().AddB24MailSources(["--data", dataDir]).Build();
        var services = new ServiceCollection().AddLogging().AddB24MailModules(configuration).BuildServiceProvider();
        await B24MailHost.MigrateAsync(services);
        return services;
    }

    [Theory]
    [InlineData(Interrupted.AfterMigrations)]
    [InlineData(Interrupted.AfterPortal)]
    [InlineData(Interrupted.AfterPresets)]
    [InlineData(Interrupted.AfterWebhookRow)]
    [InlineData(Interrupted.AfterTemporaryFile)]
    [InlineData(Interrupted.AfterRenameBeforeContent)]
    public async Task A_first_start_interrupted_at_any_step_is_completed_by_the_next(Interrupted step)
    {
        var dataDir = LiveServer.NewDataDir();
        var webhookFile = Path.Combine(dataDir, "webhook.txt");
        var cancel = TestContext.Current.CancellationToken;
        await using (var services = await OpenStoresAsync(dataDir))
        {
            // The steps of a first start, in its order, each as its own transaction or file operation.
            var identity = services.GetRequiredService<IIdentityStore>();
            Portal? portal = null;
            if (step >= Interrupted.AfterPortal)
            {
                portal = await identity.AddPortalAsync(Provisioning.DefaultPortal, RandomNumberGenerator.GetHexString(32, lowercase: true), "localhost", Provisioning.SiteId, "Admin", "admin@localhost", cancellationToken: cancel);
            }
            if (step >= Interrupted.AfterPresets) await services.GetRequiredService<IMailServiceStore>().SeedAsync(portal!.Id, Provisioning.SiteId, MailServicePresets.All, cancel);
            string? path = null;
            if (step >= Interrupted.AfterWebhookRow) path = (await services.GetRequiredService<Provisioning>().AddWebhookAsync(portal!, 1, [MailServiceMethods.Scope], "b24mail first start")).Path;
            // The secret must not outlive the crash in a temporary file.
            if (step == Interrupted.AfterTemporaryFile) await File.WriteAllTextAsync(webhookFile + ".4242.tmp", path + "\n", cancel);
            // A power cut after the rename reached the disk but before the content did.
            if (step == Interrupted.AfterRenameBeforeContent) await File.WriteAllTextAsync(webhookFile, "", cancel);
        }

        await using var server = await LiveServer.StartAsync(dataDir, []);
        var portals = await server.Services.GetRequiredService<IIdentityStore>().ListPortalsAsync(cancel);
        Assert.Equal([Provisioning.DefaultPortal], portals.Select(p => p.Code));
        await AssertPresetsAsync(server);
        Assert.Equal(new Uri(server.Webhook).AbsolutePath, (await File.ReadAllTextAsync(webhookFile, cancel)).Trim());
        // It holds a secret: its owner only.
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(webhookFile));
        Assert.Empty(Directory.GetFiles(dataDir, "*.tmp"));

        // And the start after that changes nothing.
        var webhook = new Uri(server.Webhook).AbsolutePath;
        await server.RestartAsync();
        Assert.Equal(webhook, new Uri(server.Webhook).AbsolutePath);
        await AssertPresetsAsync(server);
    }

    private static async Task AssertPresetsAsync(LiveServer server)
    {
        var list = await server.GetAsync(server.Webhook + "mailservice.list");
        Assert.True(list.Status == HttpStatusCode.OK, list.Raw);
        Assert.Equal(PresetNames, list.Result.EnumerateArray().Select(s => s.GetProperty("NAME").GetString()));
    }

    [Fact]
    public async Task A_portal_whose_services_were_all_deleted_does_not_get_the_presets_back()
    {
        await using var server = await LiveServer.StartAsync();
        foreach (var service in (await server.GetAsync(server.Webhook + "mailservice.list")).Result.EnumerateArray())
        {
            Assert.Equal(HttpStatusCode.OK, (await server.PostJsonAsync(server.Webhook + "mailservice.delete", new { ID = service.GetProperty("ID").GetString() })).Status);
        }
        await server.RestartAsync();
        MailServiceMethodTests.AssertCoreError(await server.GetAsync(server.Webhook + "mailservice.list"), "No mail services found");
    }

    [Fact]
    public async Task A_portal_made_without_presets_stays_without_them_when_presets_are_switched_on()
    {
        await using var server = await LiveServer.StartAsync("--presets", "false");
        await server.RestartAsync([]);
        MailServiceMethodTests.AssertCoreError(await server.GetAsync(server.Webhook + "mailservice.list"), "No mail services found");
    }

    [Fact]
    public async Task A_database_from_before_the_provisioning_marker_keeps_its_empty_portals_empty()
    {
        await using var server = await LiveServer.StartAsync();
        foreach (var service in (await server.GetAsync(server.Webhook + "mailservice.list")).Result.EnumerateArray())
        {
            await server.PostJsonAsync(server.Webhook + "mailservice.delete", new { ID = service.GetProperty("ID").GetString() });
        }
        // The schema as it was before the marker: the migration that adds it runs on the next start.
        await server.Services.GetRequiredService<IDatabase>().WriteAsync(async session =>
        {
            await session.ExecuteAsync("DROP TABLE IF EXISTS mail_presets_seeded");
            await session.ExecuteAsync("UPDATE schema_versions SET version = 2 WHERE module = 'mailservice'");
        });
        await server.RestartAsync();
        MailServiceMethodTests.AssertCoreError(await server.GetAsync(server.Webhook + "mailservice.list"), "No mail services found");
    }

    [Fact]
    public async Task A_start_removes_the_temporary_logo_files_a_crash_left_behind()
    {
        var dataDir = LiveServer.NewDataDir();
        await LiveServer.PrepareDataDirAsync(dataDir);
        var icons = Directory.CreateDirectory(Path.Combine(dataDir, "portals", "1", "icons")).FullName;
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var old = now.AddDays(-2);
        string File(string name, DateTime written)
        {
            var path = Path.Combine(icons, name);
            System.IO.File.WriteAllBytes(path, [1]);
            System.IO.File.SetLastWriteTimeUtc(path, written);
            return path;
        }
        var crashed = File("0123456789abcdef0123456789abcdef.5f3a9c.tmp", old);
        var crashedBefore = File("0123456789abcdef0123456789abcdef.tmp", old);
        var logo = File("fedcba9876543210fedcba9876543210", old);
        // Another node sharing the folder may be writing this one right now.
        var inFlight = File("00112233445566778899aabbccddeeff.77aa.tmp", now);

        await using var server = await LiveServer.StartAsync(dataDir, []);
        Assert.False(System.IO.File.Exists(crashed));
        Assert.False(System.IO.File.Exists(crashedBefore));
        Assert.True(System.IO.File.Exists(logo));
        Assert.True(System.IO.File.Exists(inFlight));
    }
}
