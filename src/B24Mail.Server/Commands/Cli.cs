using B24Mail.Server.Hosting;

namespace B24Mail.Server.Commands;

/// <summary>
/// The command-line entry: the server by default, or one of the commands for scripts. A command prints
/// only its result on stdout; messages go to stderr, and a failure exits with 1 (2 for a usage error).
/// </summary>
public static class Cli
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0].StartsWith('-') || args[0] == "serve")
            {
                var settingsArgs = args.Length > 0 && args[0] == "serve" ? args[1..] : args;
                return settingsArgs.Contains("--help") || settingsArgs.Contains("-h") ? Help() : await ServeAsync(settingsArgs);
            }
            if (args.Contains("--help") || args.Contains("-h")) return Help();
            var command = CommandTable.Find(args) ?? throw new CommandException($"Unknown command '{string.Join(' ', args.Take(2))}'.");
            var line = new CommandLine(args[2..], command.Valued, command.Flags);
            await using var context = await CommandContext.OpenAsync(line);
            return await command.Run(context);
        }
        catch (CommandException exception)
        {
            Console.Error.WriteLine(exception.Message);
            Console.Error.WriteLine("Run 'b24mail --help' for commands and settings.");
            return 2;
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 1;
        }
        // An unreachable or missing database, or a port already taken, is the operator's to fix: one
        // line saying so, not a stack trace (the native build would also abort with a core dump).
        catch (System.Data.Common.DbException exception)
        {
            Console.Error.WriteLine($"Cannot use the database: {exception.Message}");
            return 1;
        }
        catch (IOException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 1;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
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

    private static int Help()
    {
        Console.WriteLine("b24mail: a self-hosted Bitrix24 REST server for the mailservice scope.");
        Console.WriteLine();
        Console.WriteLine("Usage:");
        Console.WriteLine("  b24mail [SETTINGS]\n      start the server; prints a webhook URL and the certificate path");
        foreach (var command in CommandTable.All) Console.WriteLine($"  b24mail {command.Usage}\n      {command.Meaning}");
        Console.WriteLine();
        Console.WriteLine("Commands take --portal CODE (default: the portal 'default') and the settings below; they print only their result.");
        Console.WriteLine();
        Console.WriteLine("Settings (option, or environment variable):");
        foreach (var (option, environment, meaning) in ServerSettings.Help) Console.WriteLine($"  {option,-28} {environment,-30} {meaning}");
        return 0;
    }
}
