namespace B24Mail.Rest.Errors;

/// <summary>The protocol's own errors, in one table (docs/protocol.md §4.2–4.3, docs/decisions.md #17, #18, #20, #21, #31).</summary>
public static class SystemErrors
{
    public static RestError MethodNotFound => new("ERROR_METHOD_NOT_FOUND", "Method not found!", 404);
    public static RestError NoAuthFound => new("NO_AUTH_FOUND", "Wrong authorization data", 401);
    public static RestError InvalidCredentials => new("INVALID_CREDENTIALS", "Invalid request credentials", 401);
    public static RestError ExpiredToken => new("expired_token", "The access token provided has expired", 401);
    public static RestError InvalidToken => new("invalid_token", "The access token provided is invalid", 401);
    public static RestError AuthorizationError => new("authorization_error", "Unable to authorize user", 401);
    public static RestError HttpsRequired => new("INVALID_REQUEST", "Https required", 400);
    public static RestError InsufficientScopeWebhook => new("insufficient_scope", "The request requires higher privileges than provided by the webhook token", 403);
    public static RestError InsufficientScopeToken => new("insufficient_scope", "The request requires higher privileges than provided by the access token", 403);
    public static RestError QueryLimitExceeded => new("QUERY_LIMIT_EXCEEDED", "Too many requests", 503);
    public static RestError OperationTimeLimit => new("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429);
    public static RestError BatchMethodNotAllowed => new("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage", 405);
    public static RestError BatchLengthExceeded => new("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded", 400);
    public static RestError ApplicationContextRequired => new("ACCESS_DENIED", "Access denied! Application context required", 400);
    public static RestError Internal => new("INTERNAL_SERVER_ERROR", "Internal server error", 500);
    public static RestError UnexpectedAnswer => new("ERROR_UNEXPECTED_ANSWER", "Server returned an unexpected response", 500);
    public static RestError OverloadLimit => new("OVERLOAD_LIMIT", "REST API is blocked due to overload.", 503);
    public static RestError CommercialPlansOnly => new("ACCESS_DENIED", "REST is available only on commercial plans.", 403);
    public static RestError PortalDeleted => new("PORTAL_DELETED", "Portal was deleted", 500);
    public static RestError UserAccessError => new("user_access_error", "The user does not have access to the application.", 403);
    public static RestError ManifestNotAvailable => new("ERROR_MANIFEST_IS_NOT_AVAILABLE", "Manifest is not available", 404);
    public static RestError RequestTooLarge => new("REQUEST_ENTITY_TOO_LARGE", "Request entity too large", 413);
    public static RestError BadRequest => new("INVALID_REQUEST", "Malformed request", 400);

    /// <summary>The errors a fault rule may name (the seed's table of system errors), by their <c>error</c> code.</summary>
    public static readonly IReadOnlyDictionary<string, Func<RestError>> Named = new Dictionary<string, Func<RestError>>(StringComparer.Ordinal)
    {
        ["QUERY_LIMIT_EXCEEDED"] = () => QueryLimitExceeded,
        ["INTERNAL_SERVER_ERROR"] = () => Internal,
        ["ERROR_UNEXPECTED_ANSWER"] = () => UnexpectedAnswer,
        ["OVERLOAD_LIMIT"] = () => OverloadLimit,
        ["ACCESS_DENIED"] = () => CommercialPlansOnly,
        ["PORTAL_DELETED"] = () => PortalDeleted,
        ["user_access_error"] = () => UserAccessError,
        ["expired_token"] = () => ExpiredToken,
        ["invalid_token"] = () => InvalidToken,
        ["INVALID_CREDENTIALS"] = () => InvalidCredentials,
        ["ERROR_MANIFEST_IS_NOT_AVAILABLE"] = () => ManifestNotAvailable,
    };
}
