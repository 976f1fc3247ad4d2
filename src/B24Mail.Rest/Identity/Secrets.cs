using System.Security.Cryptography;
using System.Text;

namespace B24Mail.Rest.Identity;

/// <summary>
/// Random credentials and their hashes. Webhook secrets are 16 lower-case letters and digits, as on
/// real portals; tokens and client secrets are longer. Only SHA-256 hashes are stored: the values are
/// random, so a salt adds nothing, and lookups by hash stay indexed.
/// </summary>
public static class Secrets
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewWebhookSecret() => RandomNumberGenerator.GetString(Alphabet, 16);

    public static string NewToken() => RandomNumberGenerator.GetString(Alphabet, 64);

    public static string NewClientSecret() => RandomNumberGenerator.GetString(Alphabet + "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 50);

    /// <summary>Bitrix local apps look like <c>local.5c8bb1b0891cf2.87252039</c>.</summary>
    public static string NewClientId() => $"local.{RandomNumberGenerator.GetHexString(14, lowercase: true)}.{RandomNumberGenerator.GetInt32(10_000_000, 100_000_000)}";

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[] storedHash, byte[] candidateHash) => CryptographicOperations.FixedTimeEquals(storedHash, candidateHash);
}
