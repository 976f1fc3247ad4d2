namespace B24Mail.Server.Commands;

/// <summary>
/// Splits <c>user add --name Ada --admin --data DIR</c> into the command's own options and the rest,
/// which go to configuration like the server's settings.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public CommandLine(string[] args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (flags.Contains(arg)) _options[arg] = "true";
            else if (valued.Contains(arg))
            {
                if (i + 1 >= args.Length) throw new CommandException($"{arg} needs a value.");
                _options[arg] = args[++i];
            }
            else rest.Add(arg);
        }
        Rest = rest.ToArray();
    }

    public string[] Rest { get; }

    public string? Get(string option) => _options.GetValueOrDefault(option);

    public bool Has(string option) => _options.ContainsKey(option);

    public string Require(string option) => Get(option) is { Length: > 0 } value ? value : throw new CommandException($"{option} is required.");
}

public sealed class CommandException(string message) : Exception(message);
