using Microsoft.Extensions.Configuration;

namespace B24Mail.Rest.OAuth;

public sealed class OAuthOptions
{
    /// <summary>Configured in whole seconds, as the operator writes it (a TimeSpan would read "3600" as days).</summary>
    [ConfigurationKeyName("AccessTokenLifetime")]
    public int AccessTokenLifetimeSeconds { get; set; } = 3600;

    [ConfigurationKeyName("RefreshTokenLifetime")]
    public int RefreshTokenLifetimeSeconds { get; set; } = 180 * 24 * 3600;

    public TimeSpan AccessTokenLifetime => TimeSpan.FromSeconds(AccessTokenLifetimeSeconds);

    public TimeSpan RefreshTokenLifetime => TimeSpan.FromSeconds(RefreshTokenLifetimeSeconds);

    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Serve the consent page at /oauth/authorize/. Off, tokens come only from <c>token issue</c>.</summary>
    [ConfigurationKeyName("OAuthConsent")]
    public bool Consent { get; set; } = true;
}
