using B24Mail.Rest.Errors;

namespace B24Mail.Rest.Dispatch;

/// <summary>
/// A method as a scope registers it. The caller needs any one of <see cref="Scopes"/>; none listed means
/// a basic method that every credential may call. <see cref="DeniedToNonAdmins"/> holds the error a
/// non-administrator gets, since each scope words it its own way.
/// </summary>
public sealed record RestMethod(string Name, IReadOnlyList<string> Scopes, RestHandler Handler)
{
    public RestMethod(string name, string scope, RestHandler handler)
        : this(name, [scope], handler)
    {
    }

    public Func<RestError>? DeniedToNonAdmins { get; init; }

    public bool AllowedInBatch { get; init; } = true;

    /// <summary>Counted against the operating limit. The outer <c>batch</c> is not; the commands inside it are.</summary>
    public bool CountsOperating { get; init; } = true;

    public bool IsBasic => Scopes.Count == 0;
}
