using System.Security.Cryptography;
using B24Mail.MailServices;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Identity;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Makes what a first start promises: portal <c>default</c> (site s1) with administrator 1, the preset
/// services, and an admin webhook with the mailservice scope. Every step checks before it writes, so later
/// starts, and a command run against a fresh folder, reuse what is there.
/// </summary>
public sealed class Provisioning(IIdentityStore identity, IMailServiceStore mailServices, ServerSettings settings, TimeProvider time)
{
    public const string DefaultPortal = "default";
    public const string SiteId = "s1";

    /// <summary>The bootstrap webhook's path is kept in the data folder so every start can print it again.</summary>
    private string WebhookFile => Path.Combine(settings.DataPath, "webhook.txt");

    public async Task<Portal> EnsurePortalAsync(string code, string domain, string licenseType = Licence.DefaultType, string language = Licence.DefaultLanguage)
    {
        var portal = await identity.FindPortalAsync(code);
        if (portal is not null) return portal;
        try
        {
            portal = await identity.AddPortalAsync(code, RandomNumberGenerator.GetHexString(32, lowercase: true), domain, SiteId, "Admin", "admin@" + domain, licenseType, language);
        }
        catch (System.Data.Common.DbException)
        {
            // Another process or node created it first.
            portal = await identity.FindPortalAsync(code) ?? throw new InvalidOperationException($"Portal {code} could not be created.");
        }
        // Idempotent: adds the presets only to a portal without services, under the portal's lock.
        if (settings.Presets) await mailServices.SeedAsync(portal.Id, SiteId, MailServicePresets.All);
        return portal;
    }

    /// <summary>Returns <c>/rest/{user}/{secret}/</c> of the default portal's admin webhook, making it on first start.</summary>
    public async Task<string> EnsureBootstrapWebhookAsync()
    {
        var portal = await EnsurePortalAsync(DefaultPortal, settings.Domain);
        if (File.Exists(WebhookFile)) return (await File.ReadAllTextAsync(WebhookFile)).Trim();
        var path = await AddWebhookAsync(portal, 1, [MailServiceMethods.Scope], "b24mail first start");
        var temporary = WebhookFile + "." + Environment.ProcessId + ".tmp";
        await File.WriteAllTextAsync(temporary, path + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, WebhookFile, overwrite: true);
        return path;
    }

    public async Task<string> AddWebhookAsync(Portal portal, long userId, IReadOnlyCollection<string> scopes, string title, TimeSpan? lifetime = null)
    {
        _ = await identity.FindUserAsync(portal.Id, userId) ?? throw new ArgumentException($"User {userId} does not exist in portal '{portal.Code}'.");
        var secret = Secrets.NewWebhookSecret();
        var now = time.GetUtcNow();
        await identity.AddWebhookAsync(portal.Id, userId, Secrets.Hash(secret), scopes, title, now, now + lifetime);
        return $"/rest/{userId}/{secret}/";
    }
}
