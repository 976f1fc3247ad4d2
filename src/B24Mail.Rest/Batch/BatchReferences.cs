using System.Text.RegularExpressions;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Batch;

/// <summary>
/// <c>$result[cmd][KEY]</c> and its siblings <c>$next</c>, <c>$total</c>, <c>$time</c>, <c>$error</c>, with the
/// real server's rules (docs/protocol.md §7.4): the walk into the earlier results stops quietly at the first
/// missing key; a reference that is the whole value takes the referenced value of any type; inside a longer
/// string only a string is put in, anything else leaves the reference as written. Keys are substituted too.
/// </summary>
public sealed partial class BatchReferences
{
    private readonly Dictionary<string, PhpArray> _maps;

    public BatchReferences(PhpArray result, PhpArray next, PhpArray total, PhpArray time, PhpArray error)
    {
        _maps = new Dictionary<string, PhpArray>(StringComparer.OrdinalIgnoreCase)
        {
            ["result"] = result, ["next"] = next, ["total"] = total, ["time"] = time, ["error"] = error,
        };
    }

    [GeneratedRegex(@"\$(result|next|total|time|error)((?:\[[^\[\]\s]*\])*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    [GeneratedRegex(@"\[([^\[\]\s]*)\]")]
    private static partial Regex Segment();

    public PhpArray Substitute(PhpArray parameters)
    {
        var output = new PhpArray();
        foreach (var (key, value) in parameters)
        {
            var newKey = Substitute(key) is string s ? s : key;
            output.Set(newKey, value switch
            {
                PhpArray nested => Substitute(nested),
                string text => Substitute(text),
                _ => value,
            });
        }
        return output;
    }

    private object? Substitute(string text)
    {
        if (text.IndexOf('$') < 0) return text;
        var whole = Reference().Match(text);
        if (whole.Success && whole.Length == text.Length) return Resolve(whole);
        return Reference().Replace(text, match => Resolve(match) is string s ? s : match.Value);
    }

    private object? Resolve(Match match)
    {
        object? current = _maps[match.Groups[1].Value];
        foreach (Match segment in Segment().Matches(match.Groups[2].Value))
        {
            // A value shaped only when written (a list row) is walked in its written shape.
            if (current is IPhpSerializable shaped) current = shaped.ToPhp();
            if (current is not PhpArray array || !array.TryGetValue(segment.Groups[1].Value, out var next)) break;
            current = next;
        }
        return current switch
        {
            IPhpSerializable serializable => serializable.ToPhp(),
            _ => current,
        };
    }
}
