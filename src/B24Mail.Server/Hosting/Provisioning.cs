using System.Security.Cryptography;
using System.Text;
using B24Mail.MailServices;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Health;
using B24Mail.Rest.Identity;
using B24Mail.Storage.Files;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Makes what a first start promises: portal <c>default</c> (site s1) with administrator 1, the preset
/// services, and an admin webhook with the mailservice scope. Every step checks before it writes and runs
/// on every start, so later starts, and a command run against a fresh folder, reuse what is there, and a
/// start killed between two steps is finished by the next one.
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

    /// <summary>Returns <c>/rest/{user}/{secret}/</c> of the default portal's admin webhook, making it on first start.</summary>
    public async Task<string> EnsureBootstrapWebhookAsync()
    {
        var portal = await EnsurePortalAsync(DefaultPortal, settings.Domain);
        // A start killed while writing the file leaves its temporary copy, and the secret in it; only a
        // starting server writes this file, so any copy found now is such a leftover.
        DurableFile.RemoveStaleTemporaryFiles(settings.DataPath, DateTimeOffset.MaxValue, Path.GetFileName(WebhookFile));
        if (ReadWebhookFile() is { } saved) return saved;
        // The row is written before the file: a start killed between the two leaves a webhook nobody
        // knows the secret of, and this start makes another one.
        var path = await AddWebhookAsync(portal, 1, [MailServiceMethods.Scope], "b24mail first start");
        await DurableFile.WriteAsync(WebhookFile, Encoding.UTF8.GetBytes(path + "\n"), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

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

    public async Task<string> AddWebhookAsync(Portal portal, long userId, IReadOnlyCollection<string> scopes, string title, TimeSpan? lifetime = null)
    {
        _ = await identity.FindUserAsync(portal.Id, userId) ?? throw new ArgumentException($"User {userId} does not exist in portal '{portal.Code}'.");
        var secret = Secrets.NewWebhookSecret();
        var now = time.GetUtcNow();
        await identity.AddWebhookAsync(portal.Id, userId, Secrets.Hash(secret), scopes, title, now, now + lifetime);
        return $"/rest/{userId}/{secret}/";
    }
}
