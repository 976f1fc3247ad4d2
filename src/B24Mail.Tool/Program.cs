// The native executable's entry point, unchanged: the tool has every setting and command it has.
return await B24Mail.Server.Commands.Cli.RunAsync(args);
