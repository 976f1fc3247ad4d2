using System.Diagnostics.CodeAnalysis;

namespace B24Mail.Rest.Values;

/// <summary>
/// PHP's one array type: an ordered map whose keys are strings or integers.
/// Parameters arrive in it and results leave in it, so the JSON writer can give
/// PHP's shapes (a list when the keys run 0..n-1, <c>[]</c> when empty).
/// Integer-like keys are kept in their canonical decimal form, as PHP does.
/// </summary>
public sealed class PhpArray : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly List<string> _order = new();
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private long _nextIndex;

    public int Count => _order.Count;

    public IEnumerable<string> Keys => _order;

    public object? this[string key]
    {
        get => _values.TryGetValue(key, out var v) ? v : null;
        set => Set(key, value);
    }

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

    public void Set(string key, object? value)
    {
        if (!_values.ContainsKey(key))
        {
            _order.Add(key);
            if (TryIndex(key, out var index) && index >= _nextIndex) _nextIndex = index + 1;
        }
        _values[key] = value;
    }

    /// <summary>PHP's <c>$a[] = v</c>: the next integer key after the largest one so far.</summary>
    public void Append(object? value) => Set(_nextIndex.ToString(System.Globalization.CultureInfo.InvariantCulture), value);

    public void Add(string key, object? value) => Set(key, value);

    public bool Remove(string key)
    {
        if (!_values.Remove(key)) return false;
        _order.Remove(key);
        return true;
    }

    /// <summary>True when the keys are exactly 0..n-1 in order, which PHP encodes as a JSON list.</summary>
    public bool IsList
    {
        get
        {
            for (var i = 0; i < _order.Count; i++)
            {
                if (!TryIndex(_order[i], out var index) || index != i) return false;
            }
            return true;
        }
    }

    public static PhpArray From(params (string Key, object? Value)[] pairs)
    {
        var array = new PhpArray();
        foreach (var (key, value) in pairs) array.Set(key, value);
        return array;
    }

    public static PhpArray List(IEnumerable<object?> items)
    {
        var array = new PhpArray();
        foreach (var item in items) array.Append(item);
        return array;
    }

    /// <summary>PHP turns a key such as "12" into the integer 12, but not "012", "+1" or "1.0".</summary>
    public static bool TryIndex(string key, out long index)
    {
        index = 0;
        if (key.Length == 0 || key.Length > 19) return false;
        var negative = key[0] == '-';
        var start = negative ? 1 : 0;
        if (start == key.Length) return false;
        if (key[start] == '0' && key.Length > start + 1) return false;
        if (negative && key == "-0") return false;
        for (var i = start; i < key.Length; i++)
        {
            if (key[i] is < '0' or > '9') return false;
        }
        return long.TryParse(key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out index);
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        foreach (var key in _order) yield return new KeyValuePair<string, object?>(key, _values[key]);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
