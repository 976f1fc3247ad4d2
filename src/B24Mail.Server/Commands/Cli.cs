using System.CommandLine;
using System.CommandLine.Help;
using B24Mail.Server.Hosting;
using Microsoft.Extensions.Options;

namespace B24Mail.Server.Commands;

/// <summary>
/// The command-line entry: the server by default (or <c>serve</c>), or one of the commands for scripts. A command prints
/// only its result on stdout; messages go to stderr, and a failure exits with 1 (2 for a usage error).
/// </summary>
public static class Cli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = SettingOptions.Declare();
        var root = new RootCommand("b24mail: a self-hosted Bitrix24 REST server for the mailservice scope. Without a command it starts the server, "
            + "which prints a webhook URL and the certificate path. Commands print only their result. Every setting below can also come from "
            + "its environment variable or DATA/b24mail.json (command line over environment over file).");
        foreach (var setting in settings) root.Options.Add(setting.Option);
        var serve = new Command("serve", "start the server (the same as no command)");
        root.Subcommands.Add(serve);
        foreach (var command in CommandTable.Build((parse, run) => RunCommandAsync(SettingOptions.Given(settings, parse), parse, run))) root.Subcommands.Add(command);
        root.SetAction(parse => ServeAsync(SettingOptions.Given(settings, parse)));
        serve.SetAction(parse => ServeAsync(SettingOptions.Given(settings, parse)));

        var parse = root.Parse(args);
        // One line naming what is wrong, and nothing run: a typo must not pass as another option's value
        // or be dropped while the command writes.
        if (parse.Action is not HelpAction && parse.Errors.Count > 0)
        {
            Console.Error.WriteLine(parse.Errors[0].Message);
            return 2;
        }
        // Errors are ours to report (as one line, with the exit codes README promises), and the server
        // shuts down on SIGTERM through its own host, not by the parser's termination timeout.
        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    private static async Task<int> RunCommandAsync(IReadOnlyDictionary<string, string?> settings, ParseResult parse, Func<CommandContext, Task<int>> run)
    {
        return await Guard(async () =>
        {
            await using var context = await CommandContext.OpenAsync(parse, settings);
            return await run(context);
        });
    }

    private static Task<int> ServeAsync(IReadOnlyDictionary<string, string?> settings) => Guard(async () =>
    {
        var app = B24MailHost.Build(settings);
        var webhook = await B24MailHost.StartAsync(app);
        var server = app.Services.GetRequiredService<ServerSettings>();
        Console.WriteLine($"b24mail is listening on {string.Join(", ", app.Urls)}");
        Console.WriteLine(webhook is null
            ? "Webhook URL: none (the state document gives every webhook secret as a hash; give one as \"secret\" to have its URL printed)"
            : $"Webhook URL: {webhook}");
        Console.WriteLine($"Certificate: {(string.IsNullOrEmpty(server.TlsCert) ? TlsCertificate.PemPath(server) : server.TlsCert)}");
        var control = app.Services.GetRequiredService<ControlPlane.ControlPlaneOptions>();
        if (control.ControlPlane)
        {
            Console.WriteLine($"Control plane: {B24MailHost.HttpsBase(app)}{ControlPlane.ControlPlaneModule.Prefix}/");
            Console.WriteLine($"Console: {B24MailHost.HttpsBase(app)}/");
            if (!string.IsNullOrEmpty(control.AdminKey)) Console.WriteLine($"Admin key: {control.AdminKey}");
        }
        if (webhook is not null) Console.WriteLine($"Try: curl --cacert {TlsCertificate.PemPath(server)} {webhook}mailservice.list");
        await app.WaitForShutdownAsync();
        return 0;
    });

    private static async Task<int> Guard(Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (CommandException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 2;
        }
        // A setting a module refuses: one line naming it (several, when several are wrong, joined on it).
        catch (OptionsValidationException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 1;
        }
        catch (AggregateException exception) when (exception.InnerExceptions.All(e => e is OptionsValidationException))
        {
            Console.Error.WriteLine(string.Join("; ", exception.InnerExceptions.Select(e => e.Message)));
            return 1;
        }
        // A state document (--seed, state import) refused: every problem, each at its JSON path.
        catch (B24Mail.Storage.State.StateDocumentException exception)
        {
            Console.Error.WriteLine("The state document was refused; nothing was changed:");
            foreach (var error in exception.Errors) Console.Error.WriteLine($"  {error.Path}: {error.Message}");
            return 1;
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
}
