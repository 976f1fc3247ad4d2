namespace B24Mail.Rest.OAuth;

/// <summary>Errors of the token endpoint (docs/protocol.md §5.4): 400 for a bad request or grant, 401 for a bad client.</summary>
public static class OAuthError
{
    public static Errors.RestError InvalidRequest(string description) => new("invalid_request", description, 400);

    public static Errors.RestError InvalidClient => new("invalid_client", "Invalid client credentials", 401);

    public static Errors.RestError InvalidGrant(string description) => new("invalid_grant", description, 400);
}
