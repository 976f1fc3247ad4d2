using B24Mail.Rest.Identity;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Dispatch;

/// <summary>What a handler gets: who calls, the parameters (credentials and <c>state</c> already removed), and where it is served from.</summary>
public sealed record RestContext(Caller Caller, PhpArray Params, string BaseUrl, Dispatcher Dispatcher, CancellationToken CancellationToken)
{
    /// <summary>A command of a batch rather than a call of its own.</summary>
    public bool InBatch { get; init; }

    /// <summary>The call's record for an <see cref="Transport.IRestRecorder"/>, when one wants it.</summary>
    public Transport.RestExchange? Exchange { get; init; }

    /// <summary>
    /// What a method vouches for when the caller asks for a signed answer (docs/decisions.md #26); set by the methods
    /// the real server signs. The dispatcher signs it when the call carried <c>state</c>.
    /// </summary>
    public PhpArray? SecurityState { get; set; }
}
