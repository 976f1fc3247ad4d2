namespace B24Mail.Rest.Transport;

/// <summary>The recorder when nothing records: the transport then makes no exchange.</summary>
public sealed class NoRestRecorder : IRestRecorder
{
    public bool IsOn => false;

    public void Record(RestExchange exchange)
    {
    }
}
