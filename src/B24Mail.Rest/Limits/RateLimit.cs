namespace B24Mail.Rest.Limits;

/// <summary>A portal's own rate limit, when it differs from the server's.</summary>
public sealed record RateLimit(bool Enabled, double Burst, double PerSecond);
