using Microsoft.Extensions.Configuration;

namespace B24Mail.Rest.Limits;

/// <summary>Server-wide limit settings; a portal may override the rate limit (docs/decisions.md #20, #21).</summary>
public sealed class LimitOptions
{
    /// <summary>The leaky bucket's threshold X: the counter may not pass it.</summary>
    [ConfigurationKeyName("RateLimitBurst")]
    public double RateBurst { get; set; } = 50;

    /// <summary>The bucket drains by Y per second.</summary>
    [ConfigurationKeyName("RateLimitPerSecond")]
    public double RatePerSecond { get; set; } = 2;

    [ConfigurationKeyName("RateLimit")]
    public bool RateEnabled { get; set; } = true;

    /// <summary>Seconds of execution per (app or webhook, method) in ten minutes; 0 switches the limit off, as on a self-hosted portal.</summary>
    [ConfigurationKeyName("OperatingLimit")]
    public double OperatingLimitSeconds { get; set; }
}
