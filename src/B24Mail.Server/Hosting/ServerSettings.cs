using Microsoft.Extensions.Configuration;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Every setting, from the command line (<c>--data DIR</c>), the environment (<c>B24MAIL_DATA</c>) or
/// appsettings.json. <see cref="Help"/> lists them; keep the two in step.
/// </summary>
public sealed class ServerSettings
{
    public const string DefaultUrls = "https://localhost:5443;http://localhost:5080";

    public string Data { get; set; } = "b24mail-data";
    public string? Postgres { get; set; }
    public string? IconStore { get; set; }
    public string? IconFolder { get; set; }
    public string? TrustedProxies { get; set; }
    public bool AllowHttp { get; set; }
    public bool Presets { get; set; } = true;
    public string Domain { get; set; } = "localhost";
    public string? TlsCert { get; set; }
    public string? TlsKey { get; set; }
    public string? TlsPassword { get; set; }
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;
    public int IconMaxBytes { get; set; } = 1024 * 1024;
    public int IconMaxDimension { get; set; } = 2048;
    public int AccessTokenLifetime { get; set; } = 3600;
    public int RefreshTokenLifetime { get; set; } = 180 * 24 * 3600;
    public bool OAuthConsent { get; set; } = true;
    public bool RateLimit { get; set; } = true;
    public double RateLimitBurst { get; set; } = 50;
    public double RateLimitPerSecond { get; set; } = 2;
    public double OperatingLimit { get; set; }

    public string DataPath => Path.GetFullPath(Data);
    public string DatabasePath => Path.Combine(DataPath, "b24mail.db");

    public static ServerSettings From(IConfiguration configuration)
    {
        var settings = new ServerSettings();
        configuration.Bind(settings);
        return settings;
    }

    public static readonly (string Option, string Environment, string Meaning)[] Help =
    [
        ("--data DIR", "B24MAIL_DATA", "data folder: SQLite file, icons, TLS certificate (default ./b24mail-data, made on first start)"),
        ("--postgres CONNSTRING", "B24MAIL_POSTGRES", "use PostgreSQL (an Npgsql connection string) instead of the SQLite file; several nodes may share it"),
        ("--icon-store folder|database", "B24MAIL_ICONSTORE", "where logo files live (default: folder with SQLite, database with PostgreSQL)"),
        ("--icon-folder DIR", "B24MAIL_ICONFOLDER", "the folder for logos, shared by all nodes when several use --icon-store folder (default: the data folder)"),
        ("--trusted-proxies LIST", "B24MAIL_TRUSTEDPROXIES", "addresses or CIDR ranges of TLS proxies/balancers whose X-Forwarded-Proto/-For/-Host count (default none: the headers are ignored)"),
        ("--urls URLS", "ASPNETCORE_URLS", $"addresses to listen on, ';'-separated (default {DefaultUrls})"),
        ("--allow-http true", "B24MAIL_ALLOWHTTP", "accept webhook calls over plain HTTP (real portals answer 400 Https required)"),
        ("--presets false", "B24MAIL_PRESETS", "do not give new portals the preset mail services (gmail, outlook.com, ...)"),
        ("--domain HOST", "B24MAIL_DOMAIN", "domain of the default portal (default localhost)"),
        ("--tls-cert FILE", "B24MAIL_TLSCERT", "your own certificate: a .pfx, or a PEM file with --tls-key"),
        ("--tls-key FILE", "B24MAIL_TLSKEY", "PEM private key for --tls-cert"),
        ("--tls-password PW", "B24MAIL_TLSPASSWORD", "password of the .pfx given in --tls-cert"),
        ("--max-body-bytes N", "B24MAIL_MAXBODYBYTES", "largest request body; larger ones get 413 (default 16777216)"),
        ("--icon-max-bytes N", "B24MAIL_ICONMAXBYTES", "largest logo file after base64 decoding (default 1048576)"),
        ("--icon-max-dimension N", "B24MAIL_ICONMAXDIMENSION", "largest logo width or height in pixels (default 2048)"),
        ("--access-token-lifetime S", "B24MAIL_ACCESSTOKENLIFETIME", "OAuth access token lifetime in seconds (default 3600)"),
        ("--refresh-token-lifetime S", "B24MAIL_REFRESHTOKENLIFETIME", "OAuth refresh token lifetime in seconds (default 15552000, 180 days)"),
        ("--oauth-consent false", "B24MAIL_OAUTHCONSENT", "switch off the consent page /oauth/authorize/ (tokens then come only from 'token issue')"),
        ("--rate-limit false", "B24MAIL_RATELIMIT", "switch off the leaky-bucket rate limit (default on: 503 QUERY_LIMIT_EXCEEDED)"),
        ("--rate-limit-burst X", "B24MAIL_RATELIMITBURST", "requests the bucket holds per (portal, client IP) (default 50)"),
        ("--rate-limit-per-second Y", "B24MAIL_RATELIMITPERSECOND", "how fast the bucket drains (default 2)"),
        ("--operating-limit S", "B24MAIL_OPERATINGLIMIT", "seconds of execution per (app or webhook, method) in 10 minutes before 429 OPERATION_TIME_LIMIT; 0 = off (default)"),
    ];
}
