using B24Mail.Rest.Errors;
using B24Mail.Rest.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace B24Mail.Rest.Health;

public static class StorageFailureResponses
{
    /// <summary>
    /// Answers a storage failure that escapes an endpoint (the OAuth pages, the logo files) with the documented
    /// 500 envelope and no log line: <see cref="StorageHealth"/> logged it once when it began, while the host
    /// would log a stack trace for every request meeting it. <c>/rest/</c> answers its own failures.
    /// </summary>
    public static IApplicationBuilder UseStorageFailureResponses(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        catch (Exception exception) when (StorageHealth.IsReported(exception) && !http.Response.HasStarted)
        {
            http.Response.Clear();
            NoCacheHeaders.Apply(http.Response);
            await ResponseWriter.WriteErrorAsync(http.Response, SystemErrors.Internal, ResponseFormat.Json);
        }
    });
}
