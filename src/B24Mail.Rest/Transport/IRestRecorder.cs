namespace B24Mail.Rest.Transport;

/// <summary>
/// Sees each call the transport, a batch and the OAuth endpoints serve. The core only fills a
/// <see cref="RestExchange"/> with references and hands it over once the answer is written; what is kept of it,
/// and how it is masked, is the recorder's business. The default records nothing, and then no exchange is made.
/// </summary>
public interface IRestRecorder
{
    /// <summary>Whether exchanges are wanted at all; read once per request.</summary>
    bool IsOn { get; }

    /// <summary>Called on the request's thread after the answer is written; must not keep the exchange's parameters past the call.</summary>
    void Record(RestExchange exchange);
}
