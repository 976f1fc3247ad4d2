namespace B24Mail.Server.Hosting;

/// <summary>
/// Refuses a <c>Host</c> no DNS name can be (longer than a name of 253 characters and a port) before anything
/// copies it. Kestrel allows 32 KB of headers, and the host goes into every base URL and credential lookup.
/// </summary>
public static class HostHeaderLimit
{
    public const int MaxLength = 253 + 1 + 5;

    private static readonly byte[] Refusal = "Bad Request: the Host header is longer than a host name can be."u8.ToArray();

    public static IApplicationBuilder UseHostHeaderLimit(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Request.Headers.Host.ToString().Length <= MaxLength) return next(http);
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.ContentLength = Refusal.Length;
        return http.Response.Body.WriteAsync(Refusal).AsTask();
    });
}
