using System.Globalization;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>
/// The query of <c>GET /_b24mail/requests</c>: <c>method</c> (exact, any case, or a prefix ending in <c>*</c>;
/// a batch matches by any of its commands too), <c>portal</c>, <c>status</c>, <c>since</c> (an id: later entries;
/// or an ISO time: entries from then) and <c>limit</c>.
/// </summary>
public sealed record JournalFilter(string? Method, string? Portal, int? Status, long? SinceId, DateTimeOffset? SinceTime, int? Limit)
{
    private static readonly string[] Names = ["method", "portal", "status", "since", "limit"];

    /// <returns>The filter, or what is wrong with the query.</returns>
    public static (JournalFilter? Filter, string? Problem) Parse(IQueryCollection query)
    {
        foreach (var (key, values) in query)
        {
            if (!Names.Contains(key)) return (null, $"Unknown filter '{key}'; the filters are {string.Join(", ", Names)}.");
            if (values.Count != 1) return (null, $"The filter '{key}' is given more than once.");
        }
        string? Text(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
        int? status = null;
        if (Text("status") is { } s)
        {
            if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 599) return (null, "status takes an HTTP status code (100-599).");
            status = code;
        }
        long? sinceId = null;
        DateTimeOffset? sinceTime = null;
        if (Text("since") is { } since)
        {
            if (long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) sinceId = id;
            else if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && since.Contains('T')) sinceTime = time;
            else return (null, "since takes an entry id or an ISO 8601 time (2025-01-31T12:00:00Z).");
        }
        int? limit = null;
        if (Text("limit") is { } l)
        {
            if (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1) return (null, "limit takes a positive number.");
            limit = n;
        }
        return (new JournalFilter(Text("method"), Text("portal"), status, sinceId, sinceTime, limit), null);
    }

    public bool Matches(JournalEntry entry)
    {
        if (SinceId is { } id && entry.Id <= id) return false;
        if (SinceTime is { } time && entry.Time < time) return false;
        if (Status is { } status && entry.Status != status) return false;
        if (Portal is { } portal && !string.Equals(entry.Portal, portal, StringComparison.OrdinalIgnoreCase)) return false;
        if (Method is { } method)
        {
            if (MethodMatches(entry.Method, method)) return true;
            return entry.Commands?.Any(c => MethodMatches(c.Method, method)) == true;
        }
        return true;
    }

    private static bool MethodMatches(string? name, string pattern)
    {
        if (name is null) return false;
        return pattern.EndsWith('*')
            ? name.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(name, pattern, StringComparison.OrdinalIgnoreCase);
    }
}
