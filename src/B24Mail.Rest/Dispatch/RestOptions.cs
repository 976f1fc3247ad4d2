namespace B24Mail.Rest.Dispatch;

/// <summary>Protocol settings the operator can change.</summary>
public sealed class RestOptions
{
    /// <summary>Serve webhook calls over plain HTTP (for local use); real portals refuse them.</summary>
    public bool AllowHttpWebhooks { get; set; }

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;
}
