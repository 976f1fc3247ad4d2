using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;

namespace B24Mail.Server.Commands;

/// <summary>
/// The command-line entry: the server by default, or one of the commands for scripts. A command prints
/// only its result on stdout; messages go to stderr, and a failure exits with 1 (2 for a usage error).
/// </summary>
public static class Cli
{
    private static readonly (string Usage, string Meaning)[] Commands =
    [
        ("b24mail [SETTINGS]", "start the server; prints a webhook URL and the certificate path"),
        ("b24mail user add --name NAME [--last-name X] [--email X] [--admin] [--portal CODE]", "add a user; prints its ID"),
        ("b24mail webhook add --user ID --scope mailservice[,SCOPE...] [--portal CODE]", "add an inbound webhook; prints its full URL"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args.Length > 0 && !args[0].StartsWith('-'))
            {
                return args[0] switch
                {
                    "user" => await UserAsync(args[1..]),
                    "webhook" => await WebhookAsync(args[1..]),
                    "serve" => await ServeAsync(args[1..]),
                    _ => Usage($"Unknown command '{args[0]}'."),
                };
            }
            return await ServeAsync(args);
        }
        catch (CommandException exception)
        {
            return Usage(exception.Message);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 1;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h")) return Help();
        var app = B24MailHost.Build(args);
        var webhook = await B24MailHost.StartAsync(app);
        var settings = app.Services.GetRequiredService<ServerSettings>();
        Console.WriteLine($"b24mail is listening on {string.Join(", ", app.Urls)}");
        Console.WriteLine($"Webhook URL: {webhook}");
        Console.WriteLine($"Certificate: {(string.IsNullOrEmpty(settings.TlsCert) ? TlsCertificate.PemPath(settings) : settings.TlsCert)}");
        Console.WriteLine($"Try: curl --cacert {TlsCertificate.PemPath(settings)} {webhook}mailservice.list");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task<int> UserAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "add" || args.Contains("--help")) return args.Contains("--help") ? Help() : Usage("Use: user add --name NAME [--admin]");
        var line = new CommandLine(args[1..], ["--name", "--last-name", "--email", "--portal"], ["--admin"]);
        await using var services = await OpenAsync(line.Rest);
        var portal = await PortalAsync(services, line.Get("--portal"));
        var user = await services.GetRequiredService<IIdentityStore>().AddUserAsync(portal.Id, line.Require("--name"), line.Get("--last-name") ?? "", line.Get("--email") ?? "", line.Has("--admin"));
        Console.WriteLine(user.Id);
        return 0;
    }

    private static async Task<int> WebhookAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "add" || args.Contains("--help")) return args.Contains("--help") ? Help() : Usage("Use: webhook add --user ID --scope mailservice[,SCOPE...]");
        var line = new CommandLine(args[1..], ["--user", "--scope", "--portal", "--url"], []);
        if (!long.TryParse(line.Require("--user"), out var userId) || userId <= 0) throw new CommandException("--user takes a user ID.");
        var scopes = line.Require("--scope").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (scopes.Length == 0 || scopes.Any(s => !s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))) throw new CommandException("--scope takes scope codes such as mailservice,user.");
        await using var services = await OpenAsync(line.Rest);
        var settings = services.GetRequiredService<ServerSettings>();
        var portal = await PortalAsync(services, line.Get("--portal"));
        var path = await services.GetRequiredService<Provisioning>().AddWebhookAsync(portal, userId, scopes, "webhook add");
        Console.WriteLine(BaseUrl(line.Get("--url") ?? new ConfigurationBuilder().AddB24MailSources(line.Rest).Build()[WebHostDefaults.ServerUrlsKey]) + path);
        return 0;
    }

    private static async Task<ServiceProvider> OpenAsync(string[] settingsArgs)
    {
        var configuration = new ConfigurationBuilder().AddB24MailSources(settingsArgs).Build();
        var services = new ServiceCollection().AddLogging().AddB24MailStorage(ServerSettings.From(configuration)).BuildServiceProvider();
        await B24MailHost.MigrateAsync(services);
        return services;
    }

    private static async Task<Portal> PortalAsync(IServiceProvider services, string? code)
    {
        var settings = services.GetRequiredService<ServerSettings>();
        if (code is null or Provisioning.DefaultPortal) return await services.GetRequiredService<Provisioning>().EnsurePortalAsync(Provisioning.DefaultPortal, settings.Domain);
        return await services.GetRequiredService<IIdentityStore>().FindPortalAsync(code) ?? throw new ArgumentException($"No portal '{code}'.");
    }

    /// <summary>The server's first HTTPS address as clients reach it; the command does not ask a running server.</summary>
    private static string BaseUrl(string? urls)
    {
        var all = (string.IsNullOrEmpty(urls) ? ServerSettings.DefaultUrls : urls).Split(';', StringSplitOptions.RemoveEmptyEntries);
        var chosen = all.FirstOrDefault(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) ?? all[0];
        return chosen.TrimEnd('/').Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost");
    }

    private static int Help()
    {
        Console.WriteLine("b24mail: a self-hosted Bitrix24 REST server for the mailservice scope.");
        Console.WriteLine();
        Console.WriteLine("Commands:");
        foreach (var (usage, meaning) in Commands) Console.WriteLine($"  {usage}\n      {meaning}");
        Console.WriteLine();
        Console.WriteLine("Settings (server and commands; option, or environment variable):");
        foreach (var (option, environment, meaning) in ServerSettings.Help) Console.WriteLine($"  {option,-24} {environment,-26} {meaning}");
        return 0;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine("Run 'b24mail --help' for commands and settings.");
        return 2;
    }
}
