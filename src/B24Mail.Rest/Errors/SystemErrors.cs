namespace B24Mail.Rest.Errors;

/// <summary>The protocol's own errors, in one table (docs/protocol.md §4.2–4.3, docs/decisions.md #17, #18, #20, #21).</summary>
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
    public static RestError RequestTooLarge => new("REQUEST_ENTITY_TOO_LARGE", "Request entity too large", 413);
    public static RestError BadRequest => new("INVALID_REQUEST", "Malformed request", 400);
}
