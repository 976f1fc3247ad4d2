using System.Text;

namespace B24Mail.Rest.Values;

/// <summary>
/// Builds the tree PHP's <c>parse_str</c> builds from a query string or an urlencoded body:
/// percent-decoding with <c>+</c> as space, <c>a[b][c]</c> nesting, <c>a[]</c> appending,
/// last value wins for a repeated key, and <c>.</c> or space in the top-level name turned into <c>_</c>.
/// </summary>
public static class PhpQueryParser
{
    /// <summary>PHP's max_input_nesting_level: deeper keys are dropped, not stored.</summary>
    public const int MaxDepth = 64;

    /// <summary>Caps the work a hostile body can cause; PHP's max_input_vars is 1000.</summary>
    public const int MaxPairs = 10_000;

    public static PhpArray Parse(string? query)
    {
        var tree = new PhpArray();
        if (string.IsNullOrEmpty(query)) return tree;
        ParseInto(tree, query.AsSpan());
        return tree;
    }

    public static void ParseInto(PhpArray tree, ReadOnlySpan<char> query)
    {
        var pairs = 0;
        while (!query.IsEmpty && pairs < MaxPairs)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? ReadOnlySpan<char>.Empty : query[(amp + 1)..];
            if (pair.IsEmpty) continue;
            pairs++;
            var eq = pair.IndexOf('=');
            var key = UrlDecode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : UrlDecode(pair[(eq + 1)..]);
            Assign(tree, key, value);
        }
    }

    /// <summary>Stores <paramref name="value"/> under a PHP-style name such as <c>fields[PHONE][0][VALUE]</c>.</summary>
    public static void Assign(PhpArray tree, string name, object? value)
    {
        var (path, tooDeep) = SplitName(name);
        if (path is null) return;
        if (tooDeep)
        {
            // PHP drops the whole variable, including what earlier pairs put there.
            tree.Remove(path[0]!);
            return;
        }
        var node = tree;
        for (var i = 0; i < path.Count - 1; i++)
        {
            var segment = path[i];
            PhpArray child;
            if (segment is null)
            {
                child = new PhpArray();
                node.Append(child);
            }
            else if (node[segment] is PhpArray existing)
            {
                child = existing;
            }
            else
            {
                child = new PhpArray();
                node.Set(segment, child);
            }
            node = child;
        }
        var last = path[^1];
        if (last is null) node.Append(value);
        else node.Set(last, value);
    }

    /// <summary>
    /// Splits <c>a[b][]</c> into <c>a</c>, <c>b</c>, null (append), as PHP's php_register_variable_ex does:
    /// leading spaces skipped; an empty root ignored; one whitespace before <c>]</c> still means append;
    /// an unclosed first <c>[</c> makes a flat name with ' ', '.', '[' turned into '_'; anything after a
    /// <c>]</c> that does not open another index is dropped; more than 64 indexes is "too deep".
    /// </summary>
    internal static (List<string?>? Path, bool TooDeep) SplitName(string name)
    {
        var start = 0;
        while (start < name.Length && name[start] == ' ') start++;
        var open = name.IndexOf('[', start);
        var baseEnd = open < 0 ? name.Length : open;
        if (baseEnd == start) return (null, false);
        var root = MangleRoot(name[start..baseEnd]);
        var path = new List<string?> { root };
        var pos = open;
        while (pos >= 0 && pos < name.Length && name[pos] == '[')
        {
            if (path.Count > MaxDepth) return (path, true);
            var indexStart = pos + 1;
            var probe = indexStart < name.Length && name[indexStart] is ' ' or '\r' or '\n' or '\t' ? indexStart + 1 : indexStart;
            if (probe < name.Length && name[probe] == ']')
            {
                path.Add(null);
                pos = probe + 1;
                continue;
            }
            var close = name.IndexOf(']', probe);
            if (close < 0)
            {
                if (path.Count == 1)
                {
                    // "a[b" has no index: one flat name, its '[' and what follows made safe.
                    var rest = name[indexStart..].Replace(' ', '_').Replace('.', '_').Replace('[', '_');
                    return (new List<string?> { root + "_" + rest }, false);
                }
                break;
            }
            path.Add(name[indexStart..close]);
            pos = close + 1;
        }
        return (path, false);
    }

    private static string MangleRoot(string root) => root.Replace('.', '_').Replace(' ', '_');

    /// <summary>PHP's urldecode: <c>+</c> is a space, bad escapes stay as they are, bytes are UTF-8.</summary>
    public static string UrlDecode(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAny('%', '+') < 0) return text.ToString();
        // Three bytes a character at most; rented, since a body's one value can be megabytes long and a new
        // array of three times its size per request would sit on the large-object heap until a full collection.
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return Decode(text, bytes);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static string Decode(ReadOnlySpan<char> text, byte[] bytes)
    {
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                bytes[n++] = (byte)' ';
            }
            else if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                bytes[n++] = (byte)(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                n += Encoding.UTF8.GetBytes(text.Slice(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1), bytes.AsSpan(n));
                if (char.IsHighSurrogate(c) && i + 1 < text.Length) i++;
            }
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    private static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
