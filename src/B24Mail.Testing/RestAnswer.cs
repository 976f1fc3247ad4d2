using System.Net;
using System.Text.Json;

namespace B24Mail.Testing;

/// <summary>
/// A REST method's answer as a client would get it: the HTTP status and the JSON body (<c>result</c> and <c>time</c>, or
/// <c>error</c> and <c>error_description</c>). A refusal is an answer here, not an exception, since tests check refusals.
/// </summary>
public sealed record RestAnswer(HttpStatusCode Status, JsonElement Body)
{
    /// <summary>The <c>result</c> key; throws if the answer is an error.</summary>
    public JsonElement Result => Body.TryGetProperty("result", out var result)
        ? result
        : throw new InvalidOperationException($"The answer has no result: {(int)Status} {Body}");

    /// <summary>The <c>error</c> code (<c>ERROR_CORE</c>, <c>ACCESS_DENIED</c>, ...), or null for a success.</summary>
    public string? Error => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error", out var error) ? error.GetString() : null;

    public string? ErrorDescription => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error_description", out var text) ? text.GetString() : null;
}
