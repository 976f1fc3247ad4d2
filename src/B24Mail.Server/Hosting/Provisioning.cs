using System.Security.Cryptography;
using System.Text;
using B24Mail.MailServices;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Health;
using B24Mail.Rest.Identity;
using B24Mail.Server.ControlPlane;
using B24Mail.Storage.State;
using B24Mail.Storage.Files;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Makes what a first start promises: portal <c>default</c> (site s1) with administrator 1, the preset
/// services, and an admin webhook with the mailservice scope. Every step checks before it writes and runs
/// on every start, so later starts, and a command run against a fresh folder, reuse what is there, and a
/// start killed between two steps is finished by the next one. With <c>--seed</c> the first start applies that
/// state document instead, in one transaction. Either way the state at the end of the first start is the
/// baseline that <c>POST /_b24mail/reset</c> returns to; once there is one, a start makes nothing.
/// </summary>
public sealed class Provisioning(IIdentityStore identity, IMailServiceStore mailServices, StateStore state, ControlPlaneOptions control, ServerSettings settings, TimeProvider time)
{
    public const string DefaultPortal = "default";
    public const string SiteId = "s1";

    /// <summary>The bootstrap webhook's path is kept in the data folder so every start can print it again.</summary>
    private string WebhookFile => Path.Combine(settings.DataPath, "webhook.txt");

    public async Task<Portal> EnsurePortalAsync(string code, string domain, string licenseType = Licence.DefaultType, string language = Licence.DefaultLanguage)
    {
        var portal = await identity.FindPortalAsync(code);
        if (portal is null)
        {
            try
            {
                portal = await identity.AddPortalAsync(code, RandomNumberGenerator.GetHexString(32, lowercase: true), domain, SiteId, "Admin", "admin@" + domain, licenseType, language);
            }
            catch (System.Data.Common.DbException exception) when (!StorageHealth.IsReported(exception))
            {
                // Another process or node created it first.
                portal = await identity.FindPortalAsync(code) ?? throw new InvalidOperationException($"Portal {code} could not be created.");
            }
        }
        // Also for a portal that exists: the start that added it may have been killed before this step.
        await mailServices.SeedAsync(portal.Id, SiteId, settings.Presets ? MailServicePresets.All : []);
        return portal;
    }

    /// <summary>
    /// What a start does before it serves: on the first start (no baseline yet), applies the <c>--seed</c> document or
    /// makes the default portal, and takes the baseline; on later starts nothing. Returns the path of the bootstrap
    /// webhook to print, or null when the state holds no webhook whose secret is known.
    /// </summary>
    public async Task<string?> FirstStartAsync()
    {
        var source = await state.BaselineSourceAsync();
        if (source == StateStore.FromDocument)
        {
            RemoveWebhookFileLeftovers();
            if (ReadWebhookFile() is { } saved) return saved;
            // A seeded first start cut short after its commit, before the file: the seed still names the webhook.
            if (control.Seed is { } seed && ReadSeed(seed).BootstrapPath is { } path && await IsLiveWebhookAsync(path))
            {
                await WriteWebhookFileAsync(path);
                return path;
            }
            return null;
        }
        if (source is null && control.Seed is { } seedFile)
        {
            var document = ReadSeed(seedFile);
            // Only if no other node or start got there first: a seed is applied once.
            await state.ReplaceAsync(document, onlyFirst: true);
            RemoveWebhookFileLeftovers();
            return await UpdateWebhookFileAsync(document.BootstrapPath);
        }
        // The built-in first start. Each node (each data folder) has a bootstrap webhook of its own; one made by a
        // node that starts after the baseline was taken joins the baseline, so resets keep it.
        if (source is not null)
        {
            RemoveWebhookFileLeftovers();
            if (ReadWebhookFile() is { } saved) return saved;
            if (await identity.FindPortalAsync(DefaultPortal) is null) return null;
        }
        var bootstrap = await EnsureBootstrapWebhookAsync();
        var secret = bootstrap.Split('/')[3];
        var webhook = await identity.FindWebhookAsync(Secrets.Hash(secret), "");
        await state.CaptureBaselineAsync(DefaultPortal, webhook?.Id);
        return bootstrap;
    }

    /// <summary>Reads a state document from a file; paths in it are relative to the file's folder.</summary>
    public StateDocument ReadSeed(string file)
    {
        var path = Path.GetFullPath(file);
        return state.Read(File.ReadAllBytes(path), Path.GetDirectoryName(path));
    }

    /// <summary>
    /// After the state was replaced: <c>webhook.txt</c> names the document's bootstrap webhook, or keeps the one it
    /// named if that still works, or goes. Returns the path it now holds.
    /// </summary>
    public async Task<string?> UpdateWebhookFileAsync(string? bootstrapPath)
    {
        if (bootstrapPath is null && ReadWebhookFile() is { } saved && await IsLiveWebhookAsync(saved)) return saved;
        if (bootstrapPath is null)
        {
            File.Delete(WebhookFile);
            return null;
        }
        await WriteWebhookFileAsync(bootstrapPath);
        return bootstrapPath;
    }

    private Task WriteWebhookFileAsync(string path) =>
        DurableFile.WriteAsync(WebhookFile, Encoding.UTF8.GetBytes(path + "\n"), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);

    /// <summary>Whether <c>/rest/{user}/{secret}/</c> names a webhook the state holds, of that user.</summary>
    private async Task<bool> IsLiveWebhookAsync(string path)
    {
        var parts = path.Split('/');
        if (parts is not ["", "rest", var user, var secret, ""]) return false;
        var grant = await identity.FindWebhookAsync(Secrets.Hash(secret), "");
        return grant is not null && grant.User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == user;
    }

    // A start killed while writing the file leaves its temporary copy, and the secret in it; only a starting
    // server (or a state import) writes this file, so any copy found now is such a leftover.
    private void RemoveWebhookFileLeftovers() =>
        DurableFile.RemoveStaleTemporaryFiles(settings.DataPath, DateTimeOffset.MaxValue, Path.GetFileName(WebhookFile));

    /// <summary>Returns <c>/rest/{user}/{secret}/</c> of the default portal's admin webhook, making it on first start.</summary>
    public async Task<string> EnsureBootstrapWebhookAsync()
    {
        var portal = await EnsurePortalAsync(DefaultPortal, settings.Domain);
        RemoveWebhookFileLeftovers();
        if (ReadWebhookFile() is { } saved) return saved;
        // The row is written before the file: a start killed between the two leaves a webhook nobody
        // knows the secret of, and this start makes another one.
        var path = (await AddWebhookAsync(portal, 1, [MailServiceMethods.Scope], "b24mail first start")).Path;
        await WriteWebhookFileAsync(path);
        return path;
    }

    /// <summary>The bootstrap webhook's path as the start printed it, for the console's overview; null when there is none.</summary>
    public string? BootstrapPath() => ReadWebhookFile();

    /// <summary>The saved path, or null when there is none or it is not a webhook path (a file cut short by a power cut).</summary>
    private string? ReadWebhookFile()
    {
        if (!File.Exists(WebhookFile)) return null;
        var path = File.ReadAllText(WebhookFile).Trim();
        var parts = path.Split('/');
        // "/rest/{user}/{secret}/" splits into "", "rest", user, secret, "".
        var valid = parts is ["", "rest", var user, var secret, ""]
            && user.Length > 0 && user.All(char.IsAsciiDigit)
            && secret.Length == 16 && secret.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));
        return valid ? path : null;
    }

    /// <summary>Makes a webhook for a user of the portal (a missing user is refused before anything is written).</summary>
    public async Task<AddedWebhook> AddWebhookAsync(Portal portal, long userId, IReadOnlyCollection<string> scopes, string title, TimeSpan? lifetime = null)
    {
        _ = await identity.FindUserAsync(portal.Id, userId) ?? throw new ArgumentException($"User {userId} does not exist in portal '{portal.Code}'.");
        var secret = Secrets.NewWebhookSecret();
        var now = time.GetUtcNow();
        var id = await identity.AddWebhookAsync(portal.Id, userId, Secrets.Hash(secret), scopes, title, now, now + lifetime);
        return new AddedWebhook(id, $"/rest/{userId}/{secret}/");
    }
}
