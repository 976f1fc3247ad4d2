using Microsoft.Extensions.Configuration;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Every setting, from the command line (<c>--data DIR</c>), the environment (<c>B24MAIL_DATA</c>) or
/// <c>DATA/b24mail.json</c>. <see cref="SettingOptions"/> declares their options.
/// </summary>
public sealed class ServerSettings
{
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
}
