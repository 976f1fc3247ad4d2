using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;

namespace B24Mail.Server.Commands;

/// <summary>What a command works with: its parsed line, the stores on the data folder, and the portal it names.</summary>
public sealed class CommandContext : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CommandContext(CommandLine line, ServiceProvider services, IConfiguration configuration)
    {
        Line = line;
        _services = services;
        Configuration = configuration;
    }

    public CommandLine Line { get; }
    public IConfiguration Configuration { get; }
    public ServerSettings Settings => Get<ServerSettings>();
    public IIdentityStore Identity => Get<IIdentityStore>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static async Task<CommandContext> OpenAsync(CommandLine line)
    {
        var configuration = new ConfigurationBuilder().AddB24MailSources(line.Rest).Build();
        var services = new ServiceCollection().AddLogging().AddB24MailStorage(ServerSettings.From(configuration)).BuildServiceProvider();
        await B24MailHost.MigrateAsync(services);
        return new CommandContext(line, services, configuration);
    }

    /// <summary>The portal named by --portal; the default one is made if it does not exist yet.</summary>
    public async Task<Portal> PortalAsync()
    {
        var code = Line.Get("--portal");
        if (code is null or Provisioning.DefaultPortal) return await Get<Provisioning>().EnsurePortalAsync(Provisioning.DefaultPortal, Settings.Domain);
        return await Identity.FindPortalAsync(code) ?? throw new ArgumentException($"No portal '{code}'.");
    }

    public async Task<PortalUser> UserAsync(Portal portal, string option = "--user")
    {
        var id = PositiveId(option);
        return await Identity.FindUserAsync(portal.Id, id) ?? throw new ArgumentException($"User {id} does not exist in portal '{portal.Code}'.");
    }

    public long PositiveId(string option) =>
        long.TryParse(Line.Require(option), out var id) && id > 0 ? id : throw new CommandException($"{option} takes a positive number.");

    public string[] Scopes(bool required = true)
    {
        var text = required ? Line.Require("--scope") : Line.Get("--scope") ?? "";
        var scopes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if ((required && scopes.Length == 0) || scopes.Any(s => !s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
        {
            throw new CommandException("--scope takes scope codes such as mailservice,user.");
        }
        return scopes;
    }

    /// <summary>The server's first HTTPS address as clients reach it (from --url or --urls); the command does not ask a running server.</summary>
    public string BaseUrl()
    {
        var urls = Line.Get("--url") ?? Configuration[WebHostDefaults.ServerUrlsKey];
        var all = (string.IsNullOrEmpty(urls) ? ServerSettings.DefaultUrls : urls).Split(';', StringSplitOptions.RemoveEmptyEntries);
        return PublicAddress.BaseUrl(all);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
