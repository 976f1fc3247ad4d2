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
