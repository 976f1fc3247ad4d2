using System.Globalization;
using System.Text.Json;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Json;
using B24Mail.Rest.Limits;
using B24Mail.Rest.OAuth;
using B24Mail.Server.Hosting;

namespace B24Mail.Server.Commands;

public sealed record Command(string Noun, string Verb, string Usage, string Meaning, string[] Valued, string[] Flags, Func<CommandContext, Task<int>> Run);

/// <summary>Every command, in one table: what it takes, what it prints, what it does.</summary>
public static class CommandTable
{
    private static readonly string[] Common = ["--portal", "--url"];

    public static readonly Command[] All =
    [
        new("portal", "add", "portal add --code CODE --domain HOST [--license TYPE] [--language LANG]", "add a portal with site s1, administrator 1 and the presets; prints its member_id",
            ["--code", "--domain", "--license", "--language"], [], PortalAddAsync),
        new("portal", "set", "portal set --code CODE [--license TYPE] [--language LANG]", "change a portal's licence type (pro, ent10000, ...) or language (en, de, ...); prints the code",
            ["--code", "--license", "--language"], [], PortalSetAsync),
        new("portal", "list", "portal list", "one line per portal: code, member_id, domain", [], [], PortalListAsync),
        new("portal", "limit", "portal limit --code CODE (--burst X --per-second Y | --off | --server)", "set the portal's own rate limit, switch it off, or go back to the server's",
            ["--code", "--burst", "--per-second"], ["--off", "--server"], PortalLimitAsync),
        new("user", "add", "user add --name NAME [--last-name X] [--email X] [--admin]", "add a user; prints its ID",
            ["--name", "--last-name", "--email"], ["--admin"], UserAddAsync),
        new("user", "list", "user list", "one line per user: ID, admin, active, name", [], [], UserListAsync),
        new("user", "deactivate", "user deactivate --user ID", "deactivate a user: its webhooks and tokens stop working", ["--user"], [], c => UserActiveAsync(c, false)),
        new("user", "activate", "user activate --user ID", "activate a user again", ["--user"], [], c => UserActiveAsync(c, true)),
        new("webhook", "add", "webhook add --user ID --scope mailservice[,SCOPE...] [--expires-in SECONDS]", "add an inbound webhook; prints its full URL",
            ["--user", "--scope", "--expires-in"], [], WebhookAddAsync),
        new("webhook", "list", "webhook list", "one line per webhook: ID, user, scopes, active, expiry (never the secret)", [], [], WebhookListAsync),
        new("webhook", "remove", "webhook remove --id ID", "delete a webhook", ["--id"], [], WebhookRemoveAsync),
        new("webhook", "deactivate", "webhook deactivate --id ID", "keep a webhook but refuse its calls", ["--id"], [], c => WebhookActiveAsync(c, false)),
        new("app", "add", "app add --name NAME --scope mailservice[,SCOPE...] --redirect-uri URL", "install an OAuth app on the portal; prints client_id and client_secret",
            ["--name", "--scope", "--redirect-uri"], [], AppAddAsync),
        new("token", "issue", "token issue --app CLIENT_ID --user ID", "issue an OAuth token pair without the consent page; prints it as JSON",
            ["--app", "--user"], [], TokenIssueAsync),
    ];

    public static Command? Find(string[] args)
    {
        if (args.Length < 2) return null;
        var command = All.FirstOrDefault(c => c.Noun == args[0] && c.Verb == args[1]);
        return command is null ? null : command with { Valued = [.. command.Valued, .. Common] };
    }

    private static async Task<int> PortalAddAsync(CommandContext c)
    {
        var code = c.Line.Require("--code");
        if (!code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_')) throw new CommandException("--code takes letters, digits, '-' and '_'.");
        var domain = c.Line.Require("--domain").ToLowerInvariant();
        var (license, language) = LicenceOptions(c, Licence.DefaultType, Licence.DefaultLanguage);
        if (await c.Identity.FindPortalAsync(code) is not null) throw new ArgumentException($"Portal '{code}' exists already.");
        // A domain names one portal: requests to it accept only that portal's credentials.
        if (await c.Identity.FindPortalByDomainAsync(domain) is { } other) throw new ArgumentException($"Domain '{domain}' belongs to portal '{other.Code}'.");
        var portal = await c.Get<Provisioning>().EnsurePortalAsync(code, domain, license, language);
        Console.WriteLine(portal.MemberId);
        return 0;
    }

    private static async Task<int> PortalSetAsync(CommandContext c)
    {
        var code = c.Line.Require("--code");
        var portal = await c.Identity.FindPortalAsync(code) ?? throw new ArgumentException($"No portal '{code}'.");
        if (!c.Line.Has("--license") && !c.Line.Has("--language")) throw new CommandException("portal set takes --license or --language.");
        var (license, language) = LicenceOptions(c, portal.LicenseType, portal.Language);
        await c.Identity.SetPortalLicenseAsync(portal.Id, license, language);
        Console.WriteLine(portal.Code);
        return 0;
    }

    /// <summary>--license and --language, checked before anything is written (docs/decisions.md #24).</summary>
    private static (string License, string Language) LicenceOptions(CommandContext c, string license, string language)
    {
        license = c.Line.Get("--license") ?? license;
        language = c.Line.Get("--language") ?? language;
        if (!Licence.IsValidType(license)) throw new CommandException($"--license takes a type of one of the families {string.Join(", ", Licence.Families)}, optionally followed by digits (pro, ent10000).");
        if (!Licence.IsValidLanguage(language)) throw new CommandException("--language takes a two-letter language code in lower case (en, de, ru).");
        return (license, language);
    }

    private static async Task<int> PortalListAsync(CommandContext c)
    {
        await c.PortalAsync();
        foreach (var p in await c.Identity.ListPortalsAsync()) Console.WriteLine($"{p.Code}\t{p.MemberId}\t{p.Domain}");
        return 0;
    }

    private static async Task<int> PortalLimitAsync(CommandContext c)
    {
        var portal = await c.Identity.FindPortalAsync(c.Line.Require("--code")) ?? throw new ArgumentException($"No portal '{c.Line.Get("--code")}'.");
        RateLimit? limit;
        if (c.Line.Has("--server")) limit = null;
        else if (c.Line.Has("--off")) limit = new RateLimit(false, 0, 0);
        else if (double.TryParse(c.Line.Require("--burst"), NumberStyles.Float, CultureInfo.InvariantCulture, out var burst) && burst >= 1
            && double.TryParse(c.Line.Require("--per-second"), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0)
        {
            limit = new RateLimit(true, burst, rate);
        }
        else throw new CommandException("--burst takes a number of at least 1 and --per-second a positive number.");
        await c.Identity.SetPortalRateLimitAsync(portal.Id, limit);
        Console.WriteLine(portal.Code);
        return 0;
    }

    private static async Task<int> UserAddAsync(CommandContext c)
    {
        var portal = await c.PortalAsync();
        var user = await c.Identity.AddUserAsync(portal.Id, c.Line.Require("--name"), c.Line.Get("--last-name") ?? "", c.Line.Get("--email") ?? "", c.Line.Has("--admin"));
        Console.WriteLine(user.Id);
        return 0;
    }

    private static async Task<int> UserListAsync(CommandContext c)
    {
        var portal = await c.PortalAsync();
        foreach (var u in await c.Identity.ListUsersAsync(portal.Id))
        {
            Console.WriteLine($"{u.Id}\t{(u.IsAdmin ? "admin" : "user")}\t{(u.IsActive ? "active" : "inactive")}\t{u.Name} {u.LastName}".TrimEnd());
        }
        return 0;
    }

    private static async Task<int> UserActiveAsync(CommandContext c, bool active)
    {
        var portal = await c.PortalAsync();
        var user = await c.UserAsync(portal);
        await c.Identity.SetUserActiveAsync(portal.Id, user.Id, active);
        Console.WriteLine(user.Id);
        return 0;
    }

    private static async Task<int> WebhookAddAsync(CommandContext c)
    {
        var scopes = c.Scopes();
        TimeSpan? lifetime = c.Line.Has("--expires-in") ? TimeSpan.FromSeconds(c.PositiveId("--expires-in")) : null;
        var portal = await c.PortalAsync();
        var user = await c.UserAsync(portal);
        var path = await c.Get<Provisioning>().AddWebhookAsync(portal, user.Id, scopes, "webhook add", lifetime);
        Console.WriteLine(c.BaseUrl() + path);
        return 0;
    }

    private static async Task<int> WebhookListAsync(CommandContext c)
    {
        var portal = await c.PortalAsync();
        foreach (var w in await c.Identity.ListWebhooksAsync(portal.Id))
        {
            var expires = w.ExpiresAt?.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) ?? "never";
            Console.WriteLine($"{w.Id}\tuser {w.UserId}\t{string.Join(',', w.Scopes.Order())}\t{(w.Active ? "active" : "inactive")}\texpires {expires}");
        }
        return 0;
    }

    private static async Task<int> WebhookRemoveAsync(CommandContext c)
    {
        var portal = await c.PortalAsync();
        var id = c.PositiveId("--id");
        if (!await c.Identity.RemoveWebhookAsync(portal.Id, id)) throw new ArgumentException($"No webhook {id} in portal '{portal.Code}'.");
        Console.WriteLine(id);
        return 0;
    }

    private static async Task<int> WebhookActiveAsync(CommandContext c, bool active)
    {
        var portal = await c.PortalAsync();
        var id = c.PositiveId("--id");
        if (!await c.Identity.SetWebhookActiveAsync(portal.Id, id, active)) throw new ArgumentException($"No webhook {id} in portal '{portal.Code}'.");
        Console.WriteLine(id);
        return 0;
    }

    private static async Task<int> AppAddAsync(CommandContext c)
    {
        var name = c.Line.Require("--name");
        var scopes = c.Scopes();
        var redirect = c.Line.Require("--redirect-uri");
        if (!Uri.TryCreate(redirect, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) throw new CommandException("--redirect-uri takes an absolute http(s) URL.");
        var portal = await c.PortalAsync();
        var installed = await c.Get<OAuthServer>().InstallAsync(portal, name, scopes, redirect);
        Console.WriteLine(PhpJsonWriter.ToJson(new Rest.Values.PhpArray { { "client_id", installed.App.ClientId }, { "client_secret", installed.ClientSecret } }));
        return 0;
    }

    private static async Task<int> TokenIssueAsync(CommandContext c)
    {
        var portal = await c.PortalAsync();
        var app = await c.Get<IOAuthStore>().FindAppAsync(c.Line.Require("--app"));
        if (app is null || app.PortalId != portal.Id) throw new ArgumentException($"No app '{c.Line.Get("--app")}' in portal '{portal.Code}'.");
        var user = await c.UserAsync(portal);
        if (!user.IsActive) throw new ArgumentException($"User {user.Id} is not active.");
        var server = c.Get<OAuthServer>();
        var issued = await server.IssueAsync(app, user, CancellationToken.None);
        var baseUrl = c.BaseUrl();
        Console.WriteLine(PhpJsonWriter.ToJson(server.Response(issued, new GrantOwner(portal, user, app, app.Scopes), baseUrl, new Uri(baseUrl).Authority)));
        return 0;
    }
}
