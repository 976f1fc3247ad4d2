using Microsoft.Extensions.Configuration;

namespace B24Mail.Rest.Dispatch;

/// <summary>Protocol settings the operator can change.</summary>
public sealed class RestOptions
{
    /// <summary>Serve webhook calls over plain HTTP (for local use); real portals refuse them.</summary>
    [ConfigurationKeyName("AllowHttp")]
    public bool AllowHttpWebhooks { get; set; }
}
