namespace B24Mail.Storage;

/// <summary>Lock keys, so that two kinds of write never share one by accident.</summary>
public static class LockKeys
{
    public const long Schema = 1;

    public static long PortalUsers(long portalId) => (2L << 40) | portalId;

    public static long PortalServices(long portalId) => (3L << 40) | portalId;

    public static long Limit(string key) => (4L << 40) | (uint)StableHash(key);

    private static int StableHash(string text)
    {
        var hash = unchecked((int)2166136261);
        foreach (var c in text) hash = unchecked((hash ^ c) * 16777619);
        return hash;
    }
}
