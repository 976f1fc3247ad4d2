namespace B24Mail.Rest.Transport;

/// <summary>
/// The part of the path after <c>/rest/</c>: <c>{method}</c> or <c>{user}/{secret}/{method}</c>,
/// with an optional <c>.json</c>/<c>.xml</c> suffix; empty segments (<c>//</c>, a trailing <c>/</c>) are ignored.
/// </summary>
public sealed record RestRoute(string MethodName, ResponseFormat Format, RestCredential.Webhook? Webhook)
{
    public static RestRoute? Parse(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is not (1 or 3)) return null;
        var (method, format) = StripSuffix(segments[^1]);
        if (method.Length == 0) return null;
        var webhook = segments.Length == 3 ? new RestCredential.Webhook(segments[0], segments[1]) : null;
        return new RestRoute(method, format, webhook);
    }

    /// <summary>Reads the format even from a path that names no method, so its 404 is in the asked-for format.</summary>
    public static ResponseFormat FormatOf(string path) => path.TrimEnd('/').EndsWith(".xml", StringComparison.OrdinalIgnoreCase) ? ResponseFormat.Xml : ResponseFormat.Json;

    private static (string Method, ResponseFormat Format) StripSuffix(string segment)
    {
        if (segment.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return (segment[..^5], ResponseFormat.Json);
        if (segment.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)) return (segment[..^4], ResponseFormat.Xml);
        return (segment, ResponseFormat.Json);
    }
}
