namespace B24Mail.Rest.OAuth;

/// <summary>A token pair as the client receives it.</summary>
public sealed record IssuedTokens(string AccessToken, string RefreshToken, DateTimeOffset AccessExpiresAt);
