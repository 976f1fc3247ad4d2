namespace B24Mail.Rest.Dispatch;

/// <summary>Every method the server answers; names are looked up case-insensitively (docs/decisions.md #18).</summary>
public sealed class MethodRegistry
{
    private readonly Dictionary<string, RestMethod> _methods = new(StringComparer.OrdinalIgnoreCase);

    public MethodRegistry Add(RestMethod method)
    {
        if (!_methods.TryAdd(method.Name, method)) throw new InvalidOperationException($"Method {method.Name} is registered twice.");
        return this;
    }

    public bool TryGet(string name, out RestMethod method) => _methods.TryGetValue(name, out method!);

    public IEnumerable<RestMethod> All => _methods.Values;
}
