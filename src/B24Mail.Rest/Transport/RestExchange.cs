using B24Mail.Rest.Identity;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Transport;

/// <summary>
/// One served call as an <see cref="IRestRecorder"/> sees it. It holds the request's own objects (its parameter
/// tree, its caller) until <see cref="IRestRecorder.Record"/> returns; only the answer is copied, because the
/// writer's buffer is reused by the next request, and only its first <see cref="MaxBody"/> bytes.
/// </summary>
public sealed class RestExchange(string httpMethod, string path, long startTimestamp, DateTimeOffset started)
{
    public const int MaxBody = 4096;

    public string HttpMethod { get; } = httpMethod;

    /// <summary>As requested, secret and all: the recorder masks it.</summary>
    public string Path { get; } = path;

    public long StartTimestamp { get; } = startTimestamp;

    public DateTimeOffset Started { get; } = started;

    /// <summary>The REST method as the path named it; null for the OAuth endpoints.</summary>
    public string? MethodName { get; set; }

    public RestCredential? Credential { get; set; }

    /// <summary>Set once the credential is accepted.</summary>
    public Caller? Caller { get; set; }

    /// <summary>The parameters the method got (credentials and <c>state</c> taken out), or for OAuth all of them.</summary>
    public PhpArray? Params { get; set; }

    public int Status { get; set; }

    /// <summary>The error code of the answer (a Bitrix code, or an OAuth one).</summary>
    public string? Error { get; set; }

    public byte[]? Body { get; private set; }

    public int BodyLength { get; private set; }

    public List<RestExchangeCommand>? Commands { get; private set; }

    public void KeepBody(ReadOnlySpan<byte> body)
    {
        BodyLength = body.Length;
        Body = body[..Math.Min(body.Length, MaxBody)].ToArray();
    }

    public void AddCommand(RestExchangeCommand command) => (Commands ??= []).Add(command);
}
