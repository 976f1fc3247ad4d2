using System.Text.Json.Serialization;

namespace B24Mail.Testing;

/// <summary>A token answer, with the field names of <c>/oauth/token/</c> (which is also how the control plane answers).</summary>
public sealed record TokenPair(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("expires")] long Expires,
    [property: JsonPropertyName("member_id")] string MemberId,
    [property: JsonPropertyName("user_id")] long UserId,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("client_endpoint")] string ClientEndpoint,
    [property: JsonPropertyName("server_endpoint")] string ServerEndpoint,
    [property: JsonPropertyName("domain")] string Domain);
