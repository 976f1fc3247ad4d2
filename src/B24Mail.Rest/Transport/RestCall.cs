using B24Mail.Rest.Values;

namespace B24Mail.Rest.Transport;

/// <summary>
/// A request as the transport hands it to the dispatcher; nothing in it is HTTP-specific. <see cref="State"/> is
/// the <c>state</c> parameter, taken out of the parameters: a call that sends it asks for a signed answer.
/// </summary>
public sealed record RestCall(string MethodName, RestCredential Credential, PhpArray Params, bool IsHttps, string BaseUrl, string Host, System.Net.IPAddress? ClientIp, string? State = null)
{
    /// <summary>Where the dispatcher notes the caller, and a batch its commands, when a recorder wants them.</summary>
    public RestExchange? Exchange { get; init; }
}
