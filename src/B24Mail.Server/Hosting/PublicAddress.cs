namespace B24Mail.Server.Hosting;

/// <summary>
/// The base URL clients are told to use, from the addresses the server listens on. The running host and the
/// commands (which do not ask a running server) both call this, so the two cannot drift apart again.
/// </summary>
public static class PublicAddress
{
    // Kestrel's "listen on every interface" hosts; none of them is an address a client can connect to.
    private static readonly string[] WildcardHosts = ["+", "*", "0.0.0.0", "[::]"];

    /// <summary>The first HTTPS address (or the first address if none is HTTPS) as <c>scheme://host[:port]</c>, a wildcard host as localhost.</summary>
    public static string BaseUrl(IEnumerable<string> listenUrls)
    {
        var urls = listenUrls.ToList();
        if (urls.Count == 0) throw new InvalidOperationException("The server listens on no address.");
        var chosen = urls.FirstOrDefault(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) ?? urls[0];

        // The host is swapped before parsing: '+' and '*' are not hosts System.Uri accepts.
        var hostStart = chosen.IndexOf("://", StringComparison.Ordinal) + 3;
        var hostEnd = chosen.Length > hostStart && chosen[hostStart] == '['
            ? chosen.IndexOf(']', hostStart) + 1
            : chosen.IndexOfAny([':', '/'], hostStart);
        if (hostEnd <= 0) hostEnd = chosen.Length;
        var host = chosen[hostStart..hostEnd];
        if (WildcardHosts.Contains(host)) chosen = string.Concat(chosen.AsSpan(0, hostStart), "localhost", chosen.AsSpan(hostEnd));

        var uri = new Uri(chosen);
        return $"{uri.Scheme}://{uri.Authority}";
    }
}
