using B24Mail.Rest.Values;

namespace B24Mail.Rest.Transport;

/// <summary>A request as the transport hands it to the dispatcher; nothing in it is HTTP-specific.</summary>
public sealed record RestCall(string MethodName, RestCredential Credential, PhpArray Params, bool IsHttps, string BaseUrl, string Host, System.Net.IPAddress? ClientIp);
