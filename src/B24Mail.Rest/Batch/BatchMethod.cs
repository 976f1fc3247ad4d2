using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Transport;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Batch;

/// <summary>
/// <c>batch</c> (docs/protocol.md §7, docs/decisions.md #19): up to 50 <c>method?query</c> commands, in order, each through the
/// same dispatcher as a single call, with the batch's own credential. Always HTTP 200; what each command
/// did goes into the five result maps.
/// </summary>
public sealed class BatchMethod : IRestScope
{
    public const int MaxCommands = 50;

    public void Register(MethodRegistry registry) =>
        registry.Add(new RestMethod("batch", [], RunAsync) { AllowedInBatch = false, CountsOperating = false });

    private static async ValueTask<object?> RunAsync(RestContext context)
    {
        // The real server upper-cases batch parameter names, so cmd/CMD and halt/HALT are one name; halt is PHP truth (docs/decisions.md #29).
        var commands = context.Params.GetAnyCase("cmd") as PhpArray ?? new PhpArray();
        var halt = ParamConvert.IsPhpTrue(context.Params.GetAnyCase("halt"));

        var result = new PhpArray();
        var error = new PhpArray();
        // No method here pages its result, so total and next stay empty; clients still expect both maps.
        var total = new PhpArray();
        var next = new PhpArray();
        var time = new PhpArray();
        var references = new BatchReferences(result, next, total, time, error);
        var index = 0;
        foreach (var (key, value) in commands)
        {
            if (index++ >= MaxCommands)
            {
                error.Set(key, ResponseWriter.ErrorBody(SystemErrors.BatchLengthExceeded));
                context.Exchange?.AddCommand(new RestExchangeCommand(key, value as string ?? "", new PhpArray(), SystemErrors.BatchLengthExceeded));
                continue;
            }
            // Newer servers skip a command that is not a string.
            if (value is not string command) continue;
            var (method, parameters) = Parse(command);
            var substituted = references.Substitute(parameters);
            var outcome = await context.Dispatcher.InvokeCommandAsync(context.Caller, method, substituted, context.BaseUrl, context.CancellationToken);
            context.Exchange?.AddCommand(new RestExchangeCommand(key, method, substituted, outcome.Error));
            if (outcome.Error is { } failure)
            {
                error.Set(key, ResponseWriter.ErrorBody(failure));
                if (halt) break;
                continue;
            }
            result.Set(key, outcome.Result is IPhpSerializable s ? s.ToPhp() : outcome.Result);
            time.Set(key, outcome.Time!.ToPhp());
        }
        return PhpArray.From(("result", result), ("result_error", error), ("result_total", total), ("result_next", next), ("result_time", time));
    }

    /// <summary><c>method?query</c>: the query is parsed as PHP parses a query string, credentials taken out.</summary>
    public static (string Method, PhpArray Parameters) Parse(string command)
    {
        var question = command.IndexOf('?');
        var method = (question < 0 ? command : command[..question]).Trim();
        var parameters = PhpQueryParser.Parse(question < 0 ? null : command[(question + 1)..]);
        foreach (var name in RestParams.CredentialNames) parameters.Remove(name);
        return (method, parameters);
    }
}
