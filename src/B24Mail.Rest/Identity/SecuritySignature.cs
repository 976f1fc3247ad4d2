using System.Security.Cryptography;
using System.Text;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Identity;

/// <summary>
/// The <c>signature</c> of a secure call (docs/decisions.md #26): base64 of the JSON security state with the caller's
/// <c>state</c> added, a dot, and base64 of the HMAC-SHA256 of that first part. The key is the hex MD5 of the
/// portal's member_id followed by the app's client_secret, which is what an app can compute on its side.
/// </summary>
public static class SecuritySignature
{
    /// <summary>The key kept for an app when it is installed; it is all the server needs to sign.</summary>
    public static string SigningKey(string memberId, string clientSecret) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(memberId + clientSecret)));

    public static string Sign(PhpArray securityState, string state, string signingKey)
    {
        var signed = new PhpArray();
        foreach (var (key, value) in securityState) signed.Set(key, value);
        signed.Set("state", state);
        var data = Convert.ToBase64String(PhpJsonWriter.ToBytes(signed));
        var mac = HMACSHA256.HashData(Encoding.ASCII.GetBytes(signingKey), Encoding.ASCII.GetBytes(data));
        return data + "." + Convert.ToBase64String(mac);
    }
}
