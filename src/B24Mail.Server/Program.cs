return await B24Mail.Server.Commands.Cli.RunAsync(args);
