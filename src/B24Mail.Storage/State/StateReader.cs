using System.Globalization;
using System.Text.Json;

namespace B24Mail.Storage.State;

/// <summary>
/// Reads a state document strictly and collects every problem, each at its JSON path: a key the reader does not
/// know, a key given twice, a value of the wrong type or out of range, and a value that must be unique in the
/// document but is not (<see cref="Claim"/>). Sections read their own keys through it, so every part of the
/// document is checked the same way.
/// </summary>
public sealed class StateReader(string? folder, DateTimeOffset now)
{
    /// <summary>Problems kept; a document with more is refused with the first ones and a count.</summary>
    public const int MaxErrors = 100;

    private readonly List<StateError> _errors = [];
    private readonly Dictionary<string, Dictionary<string, string>> _claims = new(StringComparer.Ordinal);
    private int _dropped;

    /// <summary>The folder file paths in the document are relative to; null where there is none (over the API), and then paths are refused.</summary>
    public string? Folder { get; } = folder;

    /// <summary>The time given to values a document leaves out (a user's registration).</summary>
    public DateTimeOffset Now { get; } = now;

    public bool HasErrors => _errors.Count > 0;

    public IReadOnlyList<StateError> Errors
    {
        get
        {
            if (_dropped == 0) return _errors;
            return [.. _errors, new StateError("$", $"{_dropped} more problems not listed")];
        }
    }

    public void Error(string path, string message)
    {
        if (_errors.Count >= MaxErrors) _dropped++;
        else _errors.Add(new StateError(path, message));
    }

    /// <summary>
    /// Records that <paramref name="value"/> is used at <paramref name="path"/> in the space <paramref name="space"/>
    /// (webhook IDs, client IDs, ...); false, with an error, when the document used it before.
    /// </summary>
    public bool Claim(string space, string value, string path, string what)
    {
        if (!_claims.TryGetValue(space, out var used)) _claims[space] = used = new Dictionary<string, string>(StringComparer.Ordinal);
        if (used.TryGetValue(value, out var first))
        {
            Error(path, $"{what} is used twice in the document (also at {first})");
            return false;
        }
        used[value] = path;
        return true;
    }

    /// <summary>An object with only <paramref name="keys"/>; null (with an error) when the value is not an object.</summary>
    public JsonObjectReader? Object(JsonElement element, string path, IReadOnlyCollection<string> keys)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Error(path, "must be an object");
            return null;
        }
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var at = Child(path, property.Name);
            if (!keys.Contains(property.Name)) Error(at, "is not a known key here (keys are case-sensitive)");
            else if (!values.TryAdd(property.Name, property.Value)) Error(at, "is given twice");
        }
        return new JsonObjectReader(this, path, values);
    }

    /// <summary>The items of an array, each with its path; none (with an error) when the value is not an array.</summary>
    public IEnumerable<(JsonElement Item, string Path)> Items(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            Error(path, "must be an array");
            yield break;
        }
        var index = 0;
        foreach (var item in element.EnumerateArray()) yield return (item, $"{path}[{index++}]");
    }

    /// <summary><c>$.a.b</c>, or <c>$.a['odd key']</c> for a key that is not a plain name.</summary>
    public static string Child(string path, string key)
    {
        var plain = key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return plain ? $"{path}.{key}" : $"{path}['{key.Replace("\\", "\\\\").Replace("'", "\\'")}']";
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    /// <summary>Times are written as UTC, to the second: <c>2026-11-29T03:02:16Z</c>.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

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
