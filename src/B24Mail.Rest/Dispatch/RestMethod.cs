using B24Mail.Rest.Errors;

namespace B24Mail.Rest.Dispatch;

public delegate ValueTask<object?> RestHandler(RestContext context);

/// <summary>
/// A method as a scope registers it. <see cref="Scope"/> null means no scope is needed (the basic methods).
/// <see cref="AdminOnly"/> holds the error a non-administrator gets, since each scope words it its own way.
/// </summary>
public sealed record RestMethod(string Name, string? Scope, RestHandler Handler)
{
    public Func<RestError>? AdminOnly { get; init; }

    public bool AllowedInBatch { get; init; } = true;
}
