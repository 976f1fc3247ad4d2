using System.Security.Cryptography;
using System.Text;

namespace B24Mail.Rest.Identity;

/// <summary>Webhook secrets: 16 lower-case letters and digits, as on real portals; only their hash is stored.</summary>
public static class WebhookSecrets
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewSecret() => RandomNumberGenerator.GetString(Alphabet, 16);

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[] storedHash, byte[] candidateHash) => CryptographicOperations.FixedTimeEquals(storedHash, candidateHash);
}
