using System.Globalization;
using System.Text.Json;

namespace B24Mail.Storage.State;

/// <summary>The keys of one object of the document, read by type; each problem is reported at the key's path.</summary>
public sealed class JsonObjectReader(StateReader state, string path, Dictionary<string, JsonElement> values)
{
    public string Path { get; } = path;

    public StateReader State { get; } = state;

    public string PathOf(string key) => StateReader.Child(Path, key);

    public bool Has(string key) => values.ContainsKey(key);

    public bool IsNull(string key) => values.TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.Null;

    public bool TryGet(string key, out JsonElement value) => values.TryGetValue(key, out value);

    private void Wrong(string key, string expected, JsonElement value) =>
        State.Error(PathOf(key), $"must be {expected}, not {StateReader.Describe(value.ValueKind)}");

    private bool Missing(string key, bool required)
    {
        if (required) State.Error(PathOf(key), "is required");
        return false;
    }

    /// <summary>
    /// A string of at most <paramref name="maxLength"/> characters without NUL, that <paramref name="rule"/> accepts
    /// (<paramref name="ruleText"/> says what it takes). Absent: <paramref name="fallback"/>, or an error if required.
    /// With <paramref name="nullable"/>, null is a value too.
    /// </summary>
    public string? Text(string key, bool required = false, string? fallback = null, bool nullable = false, int maxLength = 255,
        Func<string, bool>? rule = null, string? ruleText = null)
    {
        if (!values.TryGetValue(key, out var value))
        {
            Missing(key, required);
            return fallback;
        }
        if (value.ValueKind == JsonValueKind.Null && nullable) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Wrong(key, nullable ? "a string or null" : "a string", value);
            return fallback;
        }
        var text = value.GetString()!;
        if (text.Contains('\0')) State.Error(PathOf(key), "must not contain NUL");
        else if (text.Length > maxLength && text.EnumerateRunes().Count() > maxLength) State.Error(PathOf(key), $"must be at most {maxLength} characters long");
        else if (rule is not null && !rule(text)) State.Error(PathOf(key), "must be " + ruleText);
        else return text;
        return fallback;
    }

    /// <summary>A JSON integer between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public long? Integer(string key, long min, long max, bool required = false, long? fallback = null, bool nullable = false)
    {
        if (!values.TryGetValue(key, out var value))
        {
            Missing(key, required);
            return fallback;
        }
        if (value.ValueKind == JsonValueKind.Null && nullable) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            if (value.ValueKind == JsonValueKind.Number) State.Error(PathOf(key), "must be a whole number");
            else Wrong(key, nullable ? "an integer or null" : "an integer", value);
            return fallback;
        }
        if (number < min || number > max)
        {
            State.Error(PathOf(key), max == long.MaxValue ? $"must be at least {min}" : $"must be between {min} and {max}");
            return fallback;
        }
        return number;
    }

    /// <summary>A positive integer ID (a JSON number, not a string).</summary>
    public long Id(string key) => Integer(key, 1, long.MaxValue, required: true) ?? 0;

    public double? Number(string key, bool required = false, double? fallback = null)
    {
        if (!values.TryGetValue(key, out var value))
        {
            Missing(key, required);
            return fallback;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            Wrong(key, "a number", value);
            return fallback;
        }
        return number;
    }

    public bool Flag(string key, bool fallback)
    {
        if (!values.TryGetValue(key, out var value)) return fallback;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Wrong(key, "true or false", value);
        return fallback;
    }

    public bool? NullableFlag(string key)
    {
        if (!values.TryGetValue(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Wrong(key, "true, false or null", value);
        return null;
    }

    /// <summary>A time as an RFC 3339 string (<c>2026-11-29T03:02:16Z</c>), kept to the second; null where allowed.</summary>
    public DateTimeOffset? Time(string key, DateTimeOffset? fallback, bool nullable = true)
    {
        if (!values.TryGetValue(key, out var value)) return fallback;
        if (value.ValueKind == JsonValueKind.Null && nullable) return null;
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && HasOffset(text)
            && DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
        }
        State.Error(PathOf(key), "must be a time such as 2026-01-31T12:00:00Z" + (nullable ? ", or null" : ""));
        return fallback;
    }

    // A time without its offset would be read in the server's zone: the document must say which.
    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    /// <summary>The items of an array under <paramref name="key"/>; none when it is absent (an error if required).</summary>
    public IEnumerable<(JsonElement Item, string Path)> Items(string key, bool required = false)
    {
        if (!values.TryGetValue(key, out var value))
        {
            Missing(key, required);
            return [];
        }
        return State.Items(value, PathOf(key));
    }

    public JsonObjectReader? Object(string key, IReadOnlyCollection<string> keys, bool nullable = true)
    {
        if (!values.TryGetValue(key, out var value) || (nullable && value.ValueKind == JsonValueKind.Null)) return null;
        return State.Object(value, PathOf(key), keys);
    }
}
