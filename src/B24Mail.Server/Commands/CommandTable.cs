using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Json;
using B24Mail.Rest.Limits;
using B24Mail.Server.ControlPlane;
using B24Mail.Server.Hosting;
using B24Mail.Storage.Files;
using B24Mail.Storage.State;

namespace B24Mail.Server.Commands;

/// <summary>
/// Every command for scripts, each with its options declared once and typed: a value the parser or a
/// check below refuses is a usage error (exit 2) before the data folder is opened.
/// </summary>
public static class CommandTable
{
    public const string PortalName = "--portal";
    public const string UrlName = "--url";

    /// <summary>The command groups; <paramref name="open"/> runs a command on the stores its parsed line names.</summary>
    public static Command[] Build(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open) =>
    [
        Group("portal", "portals: add, set, list, limit", PortalAdd(open), PortalSet(open), PortalList(open), PortalLimit(open)),
        Group("user", "users of a portal: add, list, activate, deactivate, admin", UserAdd(open), UserList(open), UserActive(open, "activate", true), UserActive(open, "deactivate", false), UserAdmin(open)),
        Group("webhook", "inbound webhooks: add, list, remove, deactivate", WebhookAdd(open), WebhookList(open), WebhookRemove(open), WebhookDeactivate(open)),
        Group("app", "OAuth apps: add, restrict", AppAdd(open), AppRestrict(open)),
        Group("token", "OAuth tokens: issue", TokenIssue(open)),
        Group("state", "the whole state as one JSON document: export, import", StateExport(open), StateImport(open)),
        Reset(open),
    ];

    private static Command Group(string name, string description, params Command[] verbs)
    {
        var group = new Command(name, description);
        foreach (var verb in verbs) group.Subcommands.Add(verb);
        return group;
    }

    private static Command Verb(string name, string description, Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open,
        Func<CommandContext, Task<int>> run, params Option[] options)
    {
        var command = new Command(name, description)
        {
            new Option<string>(PortalName) { Description = "the portal's code [default default]", HelpName = "CODE" },
            new Option<string>(UrlName) { Description = "the server's address for printed URLs [default: the first https address of --urls]", HelpName = "URL" },
        };
        foreach (var option in options) command.Options.Add(option);
        command.SetAction(parse => open(parse, run));
        return command;
    }

    /// <summary>A command of its own options only: the state commands act on the whole server, not on one portal.</summary>
    private static Command Whole(string name, string description, Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open,
        Func<CommandContext, Task<int>> run, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            if (symbol is Option option) command.Options.Add(option);
            else if (symbol is Argument argument) command.Arguments.Add(argument);
        }
        command.SetAction(parse => open(parse, run));
        return command;
    }

    private static Command StateExport(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var output = new Option<string>("--out") { Description = "write the document to FILE instead of stdout", HelpName = "FILE" };
        return Whole("export", "print the whole state as a JSON document (secrets as SHA-256 hashes, logos as base64)", open, async c =>
        {
            var document = await c.Get<StateStore>().ExportAsync();
            if (c.Line.GetValue(output) is { Length: > 0 } file)
            {
                await DurableFile.WriteAsync(Path.GetFullPath(file), document);
                return 0;
            }
            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(document);
            return 0;
        }, output);
    }

    private static Command StateImport(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var file = new Argument<string>("FILE") { Description = "the state document; logo paths in it are relative to its folder" };
        return Whole("import", "replace the whole state with a document, which becomes what reset returns to; prints each portal's code", open, async c =>
        {
            var document = c.Get<Provisioning>().ReadSeed(c.Line.GetRequiredValue(file));
            await c.Get<StateControl>().ReplaceAsync(document, CancellationToken.None);
            foreach (var portal in document.Portals) Console.WriteLine(portal.Identity.Code);
            return 0;
        }, file);
    }

    private static Command Reset(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var portal = new Option<string>(PortalName) { Description = "reset only this portal [default: every portal, and remove portals added since]", HelpName = "CODE" };
        return Whole("reset", "return the stored state to its baseline (the first start, --seed, or the last state import); prints each portal and what was done", open, async c =>
        {
            if (!await c.Get<StateStore>().HasBaselineAsync()) throw new ArgumentException("There is no baseline to reset to yet: start the server once, or import a state document.");
            var code = c.Line.GetValue(portal);
            var outcome = await c.Get<StateControl>().ResetAsync(code, CancellationToken.None) ?? throw new ArgumentException($"No portal '{code}'.");
            if (code is not null && outcome.Reset.Count == 0) throw new ArgumentException($"Portal '{code}' was added after the baseline; reset without --portal removes it.");
            foreach (var reset in outcome.Reset) Console.WriteLine($"{reset}\treset");
            foreach (var removed in outcome.Removed) Console.WriteLine($"{removed}\tremoved");
            return 0;
        }, portal);
    }

    private static Command PortalAdd(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var code = Code(required: true);
        var domain = Text("--domain", "HOST", "the portal's domain; requests to it accept only this portal's credentials", required: true);
        var license = License();
        var language = Language();
        return Verb("add", "add a portal with site s1, administrator 1 and the presets; prints its member_id", open, async c =>
        {
            var portalCode = c.Line.GetRequiredValue(code);
            var host = c.Line.GetRequiredValue(domain).ToLowerInvariant();
            if (await c.Identity.FindPortalAsync(portalCode) is not null) throw new ArgumentException($"Portal '{portalCode}' exists already.");
            // A domain names one portal: requests to it accept only that portal's credentials.
            if (await c.Identity.FindPortalByDomainAsync(host) is { } other) throw new ArgumentException($"Domain '{host}' belongs to portal '{other.Code}'.");
            var portal = await c.Get<Provisioning>().EnsurePortalAsync(portalCode, host,
                c.Line.GetValue(license) ?? Licence.DefaultType, c.Line.GetValue(language) ?? Licence.DefaultLanguage);
            Console.WriteLine(portal.MemberId);
            return 0;
        }, code, domain, license, language);
    }

    private static Command PortalSet(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var code = Code(required: true);
        var license = License();
        var language = Language();
        var state = Checked("--state", "active|blocked|free|closed", "whether the portal answers calls: blocked answers OVERLOAD_LIMIT, free ACCESS_DENIED, closed PORTAL_DELETED",
            required: false, v => PortalStates.TryParse(v, out _), "active, blocked, free or closed");
        var command = Verb("set", "change a portal's licence type (pro, ent10000, ...), language (en, de, ...) or state (active, blocked, free, closed); prints the code", open, async c =>
        {
            var portal = await c.Identity.FindPortalAsync(c.Line.GetRequiredValue(code)) ?? throw new ArgumentException($"No portal '{c.Line.GetValue(code)}'.");
            if (c.Line.GetResult(license) is not null || c.Line.GetResult(language) is not null)
            {
                await c.Identity.SetPortalLicenseAsync(portal.Id, c.Line.GetValue(license) ?? portal.LicenseType, c.Line.GetValue(language) ?? portal.Language);
            }
            if (c.Line.GetValue(state) is { } text && PortalStates.TryParse(text, out var parsed)) await c.Identity.SetPortalStateAsync(portal.Id, parsed);
            Console.WriteLine(portal.Code);
            return 0;
        }, code, license, language, state);
        command.Validators.Add(r =>
        {
            if (r.GetResult(license) is null && r.GetResult(language) is null && r.GetResult(state) is null) r.AddError("portal set takes --license, --language or --state.");
        });
        return command;
    }

    private static Command PortalList(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open) =>
        Verb("list", "one line per portal: code, member_id, domain", open, async c =>
        {
            await c.EnsureDefaultPortalAsync();
            foreach (var p in await c.Identity.ListPortalsAsync()) Console.WriteLine($"{p.Code}\t{p.MemberId}\t{p.Domain}");
            return 0;
        });

    private static Command PortalLimit(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var code = Code(required: true);
        var burst = Number("--burst", "X", "requests the portal's bucket holds", v => v >= 1, "a number of at least 1");
        var perSecond = Number("--per-second", "Y", "how fast the portal's bucket drains", v => v > 0, "a positive number");
        var off = new Option<bool>("--off") { Description = "switch the portal's rate limit off" };
        var server = new Option<bool>("--server") { Description = "go back to the server's rate limit" };
        var command = Verb("limit", "set the portal's own rate limit (--burst X --per-second Y), switch it off (--off), or go back to the server's (--server)", open, async c =>
        {
            var portal = await c.Identity.FindPortalAsync(c.Line.GetRequiredValue(code)) ?? throw new ArgumentException($"No portal '{c.Line.GetValue(code)}'.");
            RateLimit? limit = c.Line.GetValue(server) ? null
                : c.Line.GetValue(off) ? new RateLimit(false, 0, 0)
                : new RateLimit(true, c.Line.GetValue(burst), c.Line.GetValue(perSecond));
            await c.Identity.SetPortalRateLimitAsync(portal.Id, limit);
            Console.WriteLine(portal.Code);
            return 0;
        }, code, burst, perSecond, off, server);
        command.Validators.Add(r =>
        {
            var chosen = (r.GetResult(server) is not null ? 1 : 0) + (r.GetResult(off) is not null ? 1 : 0)
                + (r.GetResult(burst) is not null || r.GetResult(perSecond) is not null ? 1 : 0);
            if (chosen != 1 || (r.GetResult(server) is null && r.GetResult(off) is null && (r.GetResult(burst) is null || r.GetResult(perSecond) is null)))
            {
                r.AddError("portal limit takes --burst X --per-second Y, or --off, or --server.");
            }
        });
        return command;
    }

    private static Command UserAdd(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var name = Text("--name", "NAME", "the user's first name", required: true);
        var lastName = Text("--last-name", "X", "the user's last name", required: false);
        var email = Text("--email", "X", "the user's e-mail address", required: false);
        var admin = new Option<bool>("--admin") { Description = "make the user an administrator" };
        return Verb("add", "add a user; prints its ID", open, async c =>
        {
            var portal = await c.PortalAsync();
            var user = await c.Admin.AddUserAsync(portal, c.Line.GetRequiredValue(name), c.Line.GetValue(lastName) ?? "", c.Line.GetValue(email) ?? "", c.Line.GetValue(admin));
            Console.WriteLine(user.Id);
            return 0;
        }, name, lastName, email, admin);
    }

    private static Command UserList(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open) =>
        Verb("list", "one line per user: ID, admin, active, name", open, async c =>
        {
            var portal = await c.PortalAsync();
            foreach (var u in await c.Identity.ListUsersAsync(portal.Id))
            {
                Console.WriteLine($"{u.Id}\t{(u.IsAdmin ? "admin" : "user")}\t{(u.IsActive ? "active" : "inactive")}\t{u.Name} {u.LastName}".TrimEnd());
            }
            return 0;
        });

    private static Command UserActive(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open, string verb, bool active)
    {
        var user = Id("--user", "the user's ID");
        return Verb(verb, active ? "activate a user again" : "deactivate a user: its webhooks and tokens stop working", open, async c =>
        {
            var portal = await c.PortalAsync();
            var found = await c.Admin.SetUserActiveAsync(portal, c.Line.GetValue(user), active);
            Console.WriteLine(found.Id);
            return 0;
        }, user);
    }

    private static Command UserAdmin(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var user = Id("--user", "the user's ID");
        var off = new Option<bool>("--off") { Description = "take the administrator right away instead" };
        return Verb("admin", "give a user the administrator right (methods such as mailservice.add need it), or take it away (--off); prints the ID", open, async c =>
        {
            var portal = await c.PortalAsync();
            var found = await c.Admin.SetUserAdminAsync(portal, c.Line.GetValue(user), !c.Line.GetValue(off));
            Console.WriteLine(found.Id);
            return 0;
        }, user, off);
    }

    private static Command WebhookAdd(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var user = Id("--user", "the ID of the user the webhook acts as");
        var scope = Scopes();
        var expiresIn = Id("--expires-in", "seconds until the webhook stops working [default never]", required: false, helpName: "SECONDS");
        return Verb("add", "add an inbound webhook; prints its full URL", open, async c =>
        {
            TimeSpan? lifetime = c.Line.GetResult(expiresIn) is null ? null : TimeSpan.FromSeconds(c.Line.GetValue(expiresIn));
            var portal = await c.PortalAsync();
            var added = await c.Admin.AddWebhookAsync(portal, c.Line.GetValue(user), c.Line.GetRequiredValue(scope), "webhook add", lifetime);
            Console.WriteLine(c.BaseUrl() + added.Path);
            return 0;
        }, user, scope, expiresIn);
    }

    private static Command WebhookList(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open) =>
        Verb("list", "one line per webhook: ID, user, scopes, active, expiry (never the secret)", open, async c =>
        {
            var portal = await c.PortalAsync();
            foreach (var w in await c.Identity.ListWebhooksAsync(portal.Id))
            {
                var expires = w.ExpiresAt?.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) ?? "never";
                Console.WriteLine($"{w.Id}\tuser {w.UserId}\t{string.Join(',', w.Scopes.Order())}\t{(w.Active ? "active" : "inactive")}\texpires {expires}");
            }
            return 0;
        });

    private static Command WebhookRemove(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var id = Id("--id", "the webhook's ID");
        return Verb("remove", "delete a webhook", open, async c =>
        {
            var portal = await c.PortalAsync();
            var webhook = c.Line.GetValue(id);
            await c.Admin.RemoveWebhookAsync(portal, webhook);
            Console.WriteLine(webhook);
            return 0;
        }, id);
    }

    private static Command WebhookDeactivate(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var id = Id("--id", "the webhook's ID");
        return Verb("deactivate", "keep a webhook but refuse its calls", open, async c =>
        {
            var portal = await c.PortalAsync();
            var webhook = c.Line.GetValue(id);
            await c.Admin.SetWebhookActiveAsync(portal, webhook, false);
            Console.WriteLine(webhook);
            return 0;
        }, id);
    }

    private static Command AppAdd(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var name = Text("--name", "NAME", "the app's name", required: true);
        var scope = Scopes();
        var redirect = Checked("--redirect-uri", "URL", "where the consent page sends the code", required: true, PortalAdmin.IsRedirectUri, "an absolute http(s) URL");
        return Verb("add", "install an OAuth app on the portal; prints client_id and client_secret", open, async c =>
        {
            var portal = await c.PortalAsync();
            var installed = await c.Admin.AddAppAsync(portal, c.Line.GetRequiredValue(name), c.Line.GetRequiredValue(scope), c.Line.GetRequiredValue(redirect));
            Console.WriteLine(PhpJsonWriter.ToJson(new Rest.Values.PhpArray { { "client_id", installed.App.ClientId }, { "client_secret", installed.ClientSecret } }));
            return 0;
        }, name, scope, redirect);
    }

    private static Command AppRestrict(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var app = Text("--app", "CLIENT_ID", "the app's client_id", required: true);
        var users = new Option<long[]>("--users")
        {
            Description = "user IDs, comma-separated, or all to open the app to every user",
            HelpName = "ID[,ID...]|all",
            Required = true,
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (text == "all") return [];
                var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var ids = parts.Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : 0).ToArray();
                if (parts.Length > 0 && parts.Length <= 1000 && ids.All(id => id > 0)) return ids;
                r.AddError("--users takes user IDs such as 1,2, or all.");
                return [];
            },
        };
        return Verb("restrict", "limit an app to some users (their tokens work, other users' answer user_access_error), or open it to all (--users all); prints the users", open, async c =>
        {
            var portal = await c.PortalAsync();
            var ids = await c.Admin.RestrictAppAsync(portal, c.Line.GetRequiredValue(app), c.Line.GetRequiredValue(users));
            Console.WriteLine(ids.Length == 0 ? "all" : string.Join(',', ids.Order()));
            return 0;
        }, app, users);
    }

    private static Command TokenIssue(Func<ParseResult, Func<CommandContext, Task<int>>, Task<int>> open)
    {
        var app = Text("--app", "CLIENT_ID", "the app's client_id", required: true);
        var user = Id("--user", "the ID of the user the token acts as");
        return Verb("issue", "issue an OAuth token pair without the consent page; prints it as JSON", open, async c =>
        {
            var portal = await c.PortalAsync();
            Console.WriteLine(PhpJsonWriter.ToJson(await c.Admin.IssueTokenAsync(portal, c.Line.GetRequiredValue(app), c.Line.GetValue(user), c.BaseUrl())));
            return 0;
        }, app, user);
    }

    private static Option<string> Code(bool required) =>
        Checked("--code", "CODE", "the portal's code", required, v => v.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'), "letters, digits, '-' and '_'");

    // Checked when parsed, before anything is written (docs/decisions.md #24).
    private static Option<string> License() =>
        Checked("--license", "TYPE", "the licence type app.info reports [default pro]", required: false, Licence.IsValidType,
            $"a type of one of the families {string.Join(", ", Licence.Families)}, optionally followed by digits (pro, ent10000)");

    private static Option<string> Language() =>
        Checked("--language", "LANG", "the portal's language [default en]", required: false, Licence.IsValidLanguage, "a two-letter language code in lower case (en, de, ru)");

    private static Option<string> Text(string name, string helpName, string description, bool required) =>
        Checked(name, helpName, description, required, _ => true, "a value");

    private static Option<string> Checked(string name, string helpName, string description, bool required, Func<string, bool> valid, string takes) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            Required = required,
            CustomParser = r =>
            {
                var value = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (value.Length > 0 && valid(value)) return value;
                r.AddError($"{name} takes {takes}.");
                return null;
            },
        };

    private static Option<string[]> Scopes() =>
        new("--scope")
        {
            Description = "scope codes, comma-separated (mailservice,user)",
            HelpName = "mailservice[,SCOPE...]",
            Required = true,
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = r =>
            {
                var scopes = (r.Tokens.Count > 0 ? r.Tokens[0].Value : "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (scopes.Length > 0 && scopes.All(PortalAdmin.IsScope)) return scopes;
                r.AddError("--scope takes scope codes such as mailservice,user.");
                return [];
            },
        };

    private static Option<long> Id(string name, string description, bool required = true, string helpName = "ID") =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            Required = required,
            CustomParser = r =>
            {
                if (r.Tokens.Count > 0 && long.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
                r.AddError($"{name} takes a positive number.");
                return 0;
            },
        };

    private static Option<double> Number(string name, string helpName, string description, Func<double, bool> valid, string takes) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r =>
            {
                if (r.Tokens.Count > 0 && double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && valid(value)) return value;
                r.AddError($"{name} takes {takes}.");
                return 0;
            },
        };
}
