using B24Mail.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace B24Mail.Server.Hosting;

/// <summary>
/// The server's own settings (its address, certificate, default portal); each module binds its own from the
/// same configuration. <see cref="SettingOptions"/> declares their options.
/// </summary>
public sealed class ServerSettings
{
    public string? TrustedProxies { get; set; }
    public bool Presets { get; set; } = true;
    public string Domain { get; set; } = "localhost";
    public string? TlsCert { get; set; }
    public string? TlsKey { get; set; }
    public string? TlsPassword { get; set; }
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The data folder, as the storage module reads it: the certificate and the bootstrap webhook go there too.</summary>
    public string DataPath { get; private set; } = "";

    /// <summary>Bound and checked at once: the server needs them before its services exist.</summary>
    public static ServerSettings From(IConfiguration configuration)
    {
        var settings = new ServerSettings();
        configuration.Bind(settings);
        var storage = new StorageOptions();
        configuration.Bind(storage);
        settings.DataPath = storage.DataPath;
        var problems = new List<string>();
        if (settings.MaxBodyBytes <= 0) problems.Add("--max-body-bytes (B24MAIL_MAXBODYBYTES) takes a positive number.");
        if (string.IsNullOrWhiteSpace(settings.Domain)) problems.Add("--domain (B24MAIL_DOMAIN) takes a host name.");
        if (problems.Count > 0) throw new OptionsValidationException(nameof(ServerSettings), typeof(ServerSettings), problems);
        return settings;
    }
}
