using System.CommandLine;
using System.Globalization;
using B24Mail.MailServices.Icons;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Limits;
using B24Mail.Rest.OAuth;
using B24Mail.Storage;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Every server setting, declared once: typed options that the server and every command take (so
/// <c>--help</c> lists them with their environment variable and default), and whose values, when given,
/// go to configuration as the last and strongest source.
/// </summary>
public static class SettingOptions
{
    public const string DefaultUrls = "https://localhost:5443;http://localhost:5080";

    /// <summary>Built for each parse: an option belongs to the one command tree it was added to.</summary>
    public static Setting[] Declare() =>
    [
        Text("--data", "DIR", "Data", "data folder: SQLite file, icons, TLS certificate, b24mail.json (made on first start)", "./" + new StorageOptions().Data),
        Text("--postgres", "CONNSTRING", "Postgres", "use PostgreSQL (an Npgsql connection string) instead of the SQLite file; several nodes may share it", "none (SQLite)"),
        Text("--icon-store", "folder|database", "IconStore", "where logo files live", "folder with SQLite, database with PostgreSQL"),
        Text("--icon-folder", "DIR", "IconFolder", "the folder for logos, shared by all nodes that use --icon-store folder", "the data folder"),
        Text("--trusted-proxies", "LIST", "TrustedProxies", "addresses or CIDR ranges of TLS proxies whose X-Forwarded-Proto/-For/-Host count", "none: the headers are ignored"),
        Declare<string>("--urls", "URLS", "urls", "ASPNETCORE_URLS", "addresses to listen on, ';'-separated", DefaultUrls),
        Flag("--allow-http", "AllowHttp", "accept webhook calls over plain HTTP (real portals answer 400 Https required)", Text(new RestOptions().AllowHttpWebhooks)),
        Flag("--presets", "Presets", "give new portals the preset mail services (gmail, outlook.com, ...)", Text(Server.Presets)),
        Text("--domain", "HOST", "Domain", "domain of the default portal (also put in the self-signed certificate)", Server.Domain),
        Text("--tls-cert", "FILE", "TlsCert", "your own certificate: a .pfx, or a PEM file with --tls-key", "self-signed"),
        Text("--tls-key", "FILE", "TlsKey", "PEM private key for --tls-cert", "none"),
        Text("--tls-password", "PW", "TlsPassword", "password of the .pfx given in --tls-cert", "none"),
        Number<long>("--max-body-bytes", "N", "MaxBodyBytes", "largest request body; a larger one gets 413 REQUEST_ENTITY_TOO_LARGE", Text(Server.MaxBodyBytes)),
        Number<int>("--icon-max-bytes", "N", "IconMaxBytes", "largest logo file after base64 decoding", Text(Icons.MaxBytes)),
        Number<int>("--icon-max-dimension", "N", "IconMaxDimension", "largest logo width or height, in pixels", Text(Icons.MaxDimension)),
        Number<int>("--access-token-lifetime", "S", "AccessTokenLifetime", "OAuth access token lifetime, seconds", Text(OAuth.AccessTokenLifetimeSeconds)),
        Number<int>("--refresh-token-lifetime", "S", "RefreshTokenLifetime", "OAuth refresh token lifetime, seconds", $"{Text(OAuth.RefreshTokenLifetimeSeconds)}, {OAuth.RefreshTokenLifetime.TotalDays} days"),
        Flag("--oauth-consent", "OAuthConsent", "serve the consent page /oauth/authorize/ (off: tokens come only from 'token issue')", Text(OAuth.Consent)),
        Flag("--rate-limit", "RateLimit", "the leaky-bucket rate limit (503 QUERY_LIMIT_EXCEEDED)", Text(Limits.RateEnabled)),
        Number<double>("--rate-limit-burst", "X", "RateLimitBurst", "requests a bucket holds, per (portal, client IP)", Text(Limits.RateBurst)),
        Number<double>("--rate-limit-per-second", "Y", "RateLimitPerSecond", "how fast a bucket drains", Text(Limits.RatePerSecond)),
        Flag("--control-plane", "ControlPlane", "serve the control plane under /_b24mail/ (state, reset, request journal, faults, clock)", Text(Control.ControlPlane)),
        Text("--admin-key", "KEY", "AdminKey", "lets clients other than loopback use the control plane with Authorization: Bearer KEY (at least 16 characters)", "none: loopback only"),
        Number<int>("--journal-size", "N", "JournalSize", "calls the request journal keeps in memory; 0 is off", Text(Control.JournalSize)),
        Text("--clock", "system|manual", "Clock", "manual: the server's time stands still until POST /_b24mail/clock sets or advances it", Control.Clock),
        Number<int>("--fault-seed", "N", "FaultSeed", "seed for fault rules with a probability, so a run can be repeated", "none: random"),
        Text("--seed", "FILE", "Seed", "a state document (JSON) to apply on first start instead of the built-in defaults", "none"),
        Number<double>("--operating-limit", "S", "OperatingLimit", "seconds of execution per (app or webhook, method) in 10 minutes before 429 OPERATION_TIME_LIMIT; 0 is off", Text(Limits.OperatingLimitSeconds)),
    ];

    // The defaults shown are the options classes' own, so they are written once.
    private static readonly ServerSettings Server = new();
    private static readonly LimitOptions Limits = new();
    private static readonly OAuthOptions OAuth = new();
    private static readonly IconPolicy Icons = new();
    private static readonly ControlPlane.ControlPlaneOptions Control = new();

    private static string Text(object value) => value is bool flag ? (flag ? "true" : "false") : Convert.ToString(value, CultureInfo.InvariantCulture)!;

    /// <summary>The values the command line gave, by configuration key.</summary>
    public static Dictionary<string, string?> Given(IEnumerable<Setting> settings, ParseResult parse)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            if (setting.Given(parse) is { } value) values[setting.Key] = value;
        }
        return values;
    }

    /// <summary>
    /// The settings on a command line that holds nothing else (the server's own, as the tests start it);
    /// a line the parser refuses throws <see cref="Commands.CommandException"/>.
    /// </summary>
    public static Dictionary<string, string?> Read(IReadOnlyList<string> args)
    {
        var root = new RootCommand();
        var settings = Declare();
        foreach (var setting in settings) root.Options.Add(setting.Option);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0) throw new Commands.CommandException(parse.Errors[0].Message);
        return Given(settings, parse);
    }

    private static Setting Text(string name, string helpName, string key, string meaning, string defaultText) =>
        Declare<string>(name, helpName, key, "B24MAIL_" + key.ToUpperInvariant(), meaning, defaultText);

    // A setting's switch takes its value (--rate-limit false), as README always wrote it, so a value that is
    // not true or false is an error naming the option rather than a stray word.
    // Declared as text: the parser would leave a word that is not true or false to stand alone, and the error
    // would then name the word instead of the option.
    private static Setting Flag(string name, string key, string meaning, string defaultText)
    {
        var setting = Declare<string>(name, "true|false", key, "B24MAIL_" + key.ToUpperInvariant(), meaning, defaultText);
        ((Option<string>)setting.Option).CustomParser = r =>
        {
            if (r.Tokens.Count > 0 && bool.TryParse(r.Tokens[0].Value, out var value)) return value ? "true" : "false";
            r.AddError($"{name} takes true or false.");
            return null;
        };
        return setting;
    }

    private static Setting Number<T>(string name, string helpName, string key, string meaning, string defaultText) =>
        Declare<T>(name, helpName, key, "B24MAIL_" + key.ToUpperInvariant(), meaning, defaultText);

    private static Setting Declare<T>(string name, string helpName, string key, string environment, string meaning, string defaultText)
    {
        var option = new Option<T>(name)
        {
            Description = $"{meaning} [env {environment}; default {defaultText}]",
            HelpName = helpName,
            Arity = ArgumentArity.ExactlyOne,
            Recursive = true,
        };
        return new Setting(option, key, environment, parse =>
            parse.GetResult(option) is { Implicit: false } ? Convert.ToString(parse.GetValue(option), CultureInfo.InvariantCulture) : null);
    }
}
