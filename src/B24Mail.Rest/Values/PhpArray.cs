namespace B24Mail.Rest.Values;

/// <summary>
/// PHP's one array type: an ordered map whose keys are strings or integers.
/// Parameters arrive in it and results leave in it, so the JSON writer can give
/// PHP's shapes (a list when the keys run 0..n-1, <c>[]</c> when empty).
/// Integer-like keys are kept in their canonical decimal form, as PHP does.
/// </summary>
public sealed class PhpArray : IEnumerable<KeyValuePair<string, object?>>
{
    // Most arrays are small result rows: a list searched in order is cheaper than a dictionary for them.
    // A larger array gets an index when it is first searched (a result list usually never is).
    private const int IndexFrom = 16;

    // The canonical keys of short lists, so appending rows does not format an integer per row.
    private static readonly string[] SmallKeys = Enumerable.Range(0, 1024).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private readonly List<KeyValuePair<string, object?>> _items;
    private Dictionary<string, int>? _index;
    private long _nextIndex;
    private const long NoNextKey = long.MinValue;

    public PhpArray() => _items = new();

    public PhpArray(int capacity) => _items = new(capacity);

    public int Count => _items.Count;

    public IEnumerable<string> Keys => _items.Select(p => p.Key);

    public object? this[string key]
    {
        get => TryGetValue(key, out var v) ? v : null;
        set => Set(key, value);
    }

    public bool ContainsKey(string key) => Find(key) >= 0;

    public bool TryGetValue(string key, out object? value)
    {
        var at = Find(key);
        value = at >= 0 ? _items[at].Value : null;
        return at >= 0;
    }

    /// <summary>
    /// The first value whose key equals <paramref name="key"/> in any case. The real server upper-cases the
    /// parameter names of its common methods and of <c>batch</c>, so <c>full</c> and <c>FULL</c> are one name there.
    /// </summary>
    public object? GetAnyCase(string key)
    {
        if (TryGetValue(key, out var exact)) return exact;
        foreach (var (k, v) in _items)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return v;
        }
        return null;
    }

    public void Set(string key, object? value)
    {
        var at = Find(key);
        if (at >= 0)
        {
            _items[at] = new KeyValuePair<string, object?>(key, value);
            return;
        }
        _items.Add(new KeyValuePair<string, object?>(key, value));
        _index?.Add(key, _items.Count - 1);
        // After the largest integer key, PHP has no next key to give ($a[] fails); Append then adds nothing.
        if (TryIndex(key, out var index) && index >= _nextIndex) _nextIndex = index == long.MaxValue ? NoNextKey : index + 1;
    }

    private int Find(string key)
    {
        if (_index is null && _items.Count > IndexFrom) BuildIndex();
        if (_index is not null) return _index.TryGetValue(key, out var at) ? at : -1;
        for (var i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    private void BuildIndex()
    {
        _index = new Dictionary<string, int>(_items.Count * 2, StringComparer.Ordinal);
        for (var i = 0; i < _items.Count; i++) _index[_items[i].Key] = i;
    }

    /// <summary>PHP's <c>$a[] = v</c>: the next integer key after the largest one so far.</summary>
    public void Append(object? value)
    {
        if (_nextIndex == NoNextKey) return;
        // That key is new by construction: every integer key present is below it, and no other key has
        // its canonical form. So it is added without a search.
        var key = _nextIndex < SmallKeys.Length ? SmallKeys[_nextIndex] : _nextIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _items.Add(new KeyValuePair<string, object?>(key, value));
        _index?.Add(key, _items.Count - 1);
        _nextIndex++;
    }

    public void Add(string key, object? value) => Set(key, value);

    public bool Remove(string key)
    {
        var at = Find(key);
        if (at < 0) return false;
        _items.RemoveAt(at);
        _index = null;
        return true;
    }

    /// <summary>True when the keys are exactly 0..n-1 in order, which PHP encodes as a JSON list.</summary>
    public bool IsList
    {
        get
        {
            for (var i = 0; i < _items.Count; i++)
            {
                if (!TryIndex(_items[i].Key, out var index) || index != i) return false;
            }
            return true;
        }
    }

    public static PhpArray From(params (string Key, object? Value)[] pairs)
    {
        var array = new PhpArray(pairs.Length);
        foreach (var (key, value) in pairs) array.Set(key, value);
        return array;
    }

    public static PhpArray List(IEnumerable<object?> items)
    {
        var array = items.TryGetNonEnumeratedCount(out var count) ? new PhpArray(count) : new PhpArray();
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

    public List<KeyValuePair<string, object?>>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
