using System.Text.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Json;

/// <summary>Turns a JSON body into the parameter tree, keeping JSON's own types (long, double, bool, null).</summary>
public static class JsonParams
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = PhpQueryParser.MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Returns null for invalid JSON or a scalar root: the real server then sees no parameters.</summary>
    public static PhpArray? Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, Options);
            return Convert(doc.RootElement) as PhpArray;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: invalid UTF-8 or a lone surrogate inside a string.
            return null;
        }
    }

    private static object? Convert(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new PhpArray();
                foreach (var property in element.EnumerateObject()) map.Set(property.Name, Convert(property.Value));
                return map;
            case JsonValueKind.Array:
                var list = new PhpArray();
                foreach (var item in element.EnumerateArray()) list.Append(Convert(item));
                return list;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                // PHP's json_decode gives an int when the number fits, a float otherwise.
                if (element.TryGetInt64(out var l)) return l;
                return element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
