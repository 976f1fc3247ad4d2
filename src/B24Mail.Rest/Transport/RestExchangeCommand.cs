using B24Mail.Rest.Errors;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Transport;

/// <summary>One command of a batch as it ran: its key, method, parameters (references substituted) and error, if any.</summary>
public sealed record RestExchangeCommand(string Key, string MethodName, PhpArray Params, RestError? Error);
