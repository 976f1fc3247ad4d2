namespace B24Mail.Storage.State;

/// <summary>What one state transaction did beyond its rows: limit state to forget, and files to finish once it is known whether it committed.</summary>
public sealed class StateChanges
{
    private readonly List<Action<bool>> _complete = [];
    private readonly Dictionary<Type, object> _items = [];

    /// <summary>Prefixes of the limit keys (rate buckets, operating baskets) of what was replaced; null when all limit state goes.</summary>
    public List<string>? LimitPrefixes { get; set; } = [];

    /// <summary>Runs after the transaction, with whether it committed. A failure there (a file that cannot be removed) leaves only an unused file.</summary>
    public void OnComplete(Action<bool> complete) => _complete.Add(complete);

    public void AddLimitPrefix(string prefix) => LimitPrefixes?.Add(prefix);

    /// <summary>A section's own record of this transaction, made on first use.</summary>
    public T Item<T>() where T : class, new()
    {
        if (!_items.TryGetValue(typeof(T), out var item)) _items[typeof(T)] = item = new T();
        return (T)item;
    }

    internal void Complete(bool committed)
    {
        foreach (var complete in _complete)
        {
            try
            {
                complete(committed);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Cleaning up: what stays behind is a file no row names.
            }
        }
        _complete.Clear();
    }
}
