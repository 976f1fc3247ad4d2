using System.Text.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Json;

/// <summary>
/// Turns a JSON body into the parameter tree, keeping JSON's own types (long, double, bool, null). It reads
/// token by token into the tree, with no document in between, and stops at <see cref="MaxElements"/> values:
/// a body at the size limit made of tiny values would otherwise cost a hundred times its size in memory.
/// </summary>
public static class JsonParams
{
    /// <summary>As many values as the form parser takes pairs; a body with more counts as unreadable.</summary>
    public const int MaxElements = PhpQueryParser.MaxPairs;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = PhpQueryParser.MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>
    /// Returns null for invalid JSON, a scalar root, or more than <see cref="MaxElements"/> values: the real
    /// server sees no parameters in a body it cannot decode.
    /// </summary>
    public static PhpArray? Parse(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        try
        {
            if (!reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return null;
            var root = new PhpArray();
            var open = new Stack<(PhpArray Array, bool IsObject)>();
            open.Push((root, reader.TokenType == JsonTokenType.StartObject));
            var elements = 0;
            string name = "";
            // Reading on after the root closes makes the reader refuse trailing content, as json_decode does.
            while (reader.Read())
            {
                object? value;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = reader.GetString()!;
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.Pop();
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        value = new PhpArray();
                        break;
                    case JsonTokenType.String:
                        value = reader.GetString();
                        break;
                    case JsonTokenType.Number:
                        // PHP's json_decode gives an int when the number fits, a float otherwise (INF beyond a double).
                        value = reader.TryGetInt64(out var l) ? (object)l
                            : reader.TryGetDouble(out var d) ? d
                            : reader.ValueSpan[0] == (byte)'-' ? double.NegativeInfinity : double.PositiveInfinity;
                        break;
                    case JsonTokenType.True:
                        value = true;
                        break;
                    case JsonTokenType.False:
                        value = false;
                        break;
                    default:
                        value = null;
                        break;
                }
                if (++elements > MaxElements) return null;
                var (parent, isObject) = open.Peek();
                if (isObject) parent.Set(name, value);
                else parent.Append(value);
                if (value is PhpArray child) open.Push((child, reader.TokenType == JsonTokenType.StartObject));
            }
            return open.Count == 0 ? root : null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: invalid UTF-8 or a lone surrogate inside a string.
            return null;
        }
    }
}
