namespace B24Mail.Rest.OAuth;

public sealed class OAuthOptions
{
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(180);

    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Serve the consent page at /oauth/authorize/. Off, tokens come only from <c>token issue</c>.</summary>
    public bool Consent { get; set; } = true;
}
