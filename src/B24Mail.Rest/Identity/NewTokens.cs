namespace B24Mail.Rest.Identity;

/// <summary>A new token pair, as hashes; the plain tokens go only to the client.</summary>
public sealed record NewTokens(byte[] AccessHash, byte[] RefreshHash, DateTimeOffset AccessExpiresAt, DateTimeOffset RefreshExpiresAt);
