using System.CommandLine;
using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;

namespace B24Mail.Server.Commands;

/// <summary>What a command works with: its parsed line, the stores on the data folder, and the portal it names.</summary>
public sealed class CommandContext : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CommandContext(ParseResult line, ServiceProvider services, IConfiguration configuration)
    {
        Line = line;
        _services = services;
        Configuration = configuration;
    }

    public ParseResult Line { get; }
    public IConfiguration Configuration { get; }
    public ServerSettings Settings => Get<ServerSettings>();
    public IIdentityStore Identity => Get<IIdentityStore>();
    public PortalAdmin Admin => Get<PortalAdmin>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Opens the stores only once the line has parsed, so a usage error writes nothing.</summary>
    public static async Task<CommandContext> OpenAsync(ParseResult line, IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddB24MailSources(settings).Build();
        var services = new ServiceCollection().AddLogging().AddB24MailModules(configuration).BuildServiceProvider();
        B24MailHost.ValidateOptions(services);
        await B24MailHost.MigrateAsync(services);
        return new CommandContext(line, services, configuration);
    }

    /// <summary>
    /// The portal named by --portal. The default one is made if it does not exist yet, as a first start would,
    /// unless the data folder has had its first start: then its state (perhaps a seed without it) is what there is.
    /// </summary>
    public async Task<Portal> PortalAsync()
    {
        var code = Line.GetValue<string>(CommandTable.PortalName);
        if (code is null or Provisioning.DefaultPortal)
        {
            return await EnsureDefaultPortalAsync() ?? throw new ArgumentException($"No portal '{Provisioning.DefaultPortal}': the state has none of that code; name one with --portal.");
        }
        return await Identity.FindPortalAsync(code) ?? throw new ArgumentException($"No portal '{code}'.");
    }

    /// <summary>The default portal, made first if the data folder has not had its first start; null if the state has none.</summary>
    public async Task<Portal?> EnsureDefaultPortalAsync()
    {
        if (await Identity.FindPortalAsync(Provisioning.DefaultPortal) is { } portal) return portal;
        if (await Get<B24Mail.Storage.State.StateStore>().HasBaselineAsync()) return null;
        return await Get<Provisioning>().EnsurePortalAsync(Provisioning.DefaultPortal, Settings.Domain);
    }

    /// <summary>The server's first HTTPS address as clients reach it (from --url or --urls); the command does not ask a running server.</summary>
    public string BaseUrl()
    {
        var urls = Line.GetValue<string>(CommandTable.UrlName) ?? Configuration[WebHostDefaults.ServerUrlsKey];
        var all = (string.IsNullOrEmpty(urls) ? SettingOptions.DefaultUrls : urls).Split(';', StringSplitOptions.RemoveEmptyEntries);
        return PublicAddress.BaseUrl(all);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
