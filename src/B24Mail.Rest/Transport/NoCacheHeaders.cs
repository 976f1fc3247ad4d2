using Microsoft.AspNetCore.Http;

namespace B24Mail.Rest.Transport;

/// <summary>
/// Every <c>/rest/</c> and <c>/oauth/</c> answer forbids caching, as the cloud's do (docs/decisions.md #30): they carry
/// tokens and per-user data, and a proxy or browser cache must not hand one caller's answer to another.
/// </summary>
public static class NoCacheHeaders
{
    public static void Apply(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store, no-cache, must-revalidate";
        response.Headers.Pragma = "no-cache";
    }
}
