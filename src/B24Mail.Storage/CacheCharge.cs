namespace B24Mail.Storage;

/// <summary>
/// What a cached query result counts against a cache's budget: its key's characters plus a fixed charge per
/// value (credential grants and rows of a few hundred bytes), per row for a list. Keys can carry text a client
/// chose, so a count of entries alone would not bound the memory.
/// </summary>
internal static class CacheCharge
{
    private const int EntryCharge = 512;

    public static int Of(string key, object value) =>
        key.Length * sizeof(char) + EntryCharge * (value is System.Collections.ICollection rows ? Math.Max(1, rows.Count) : 1);
}
