using B24Mail.Rest.Identity;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Dispatch;

/// <summary>What a handler gets: who calls, the parameters (credentials already removed), and where it is served from.</summary>
public sealed record RestContext(Caller Caller, PhpArray Params, string BaseUrl, Dispatcher Dispatcher, CancellationToken CancellationToken);
