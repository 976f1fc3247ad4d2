using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace B24Mail.Rest.Transport;

public static class RestEndpoints
{
    /// <summary>
    /// Serves <c>/rest/…</c>. A path branch rather than a route template, because clients send
    /// <c>/rest//method</c> and routing does not match empty segments.
    /// </summary>
    public static IApplicationBuilder MapBitrixRest(this IApplicationBuilder app)
    {
        return app.Map("/rest", branch => branch.Run(HandleAsync));
    }

    private static async Task HandleAsync(HttpContext http)
    {
        CorsHeaders.Apply(http.Response);
        NoCacheHeaders.Apply(http.Response);
        if (HttpMethods.IsOptions(http.Request.Method))
        {
            CorsHeaders.ApplyPreflight(http.Response);
            http.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        var path = http.Request.Path.Value ?? "";
        var format = RestRoute.FormatOf(path);
        try
        {
            var route = RestRoute.Parse(path);
            if (route is null)
            {
                await ResponseWriter.WriteErrorAsync(http.Response, SystemErrors.MethodNotFound, format);
                return;
            }
            var dispatcher = http.RequestServices.GetRequiredService<Dispatcher>();
            var host = http.Request.Host.Host;
            // A body is read only for a caller who may call: when the credential is outside the body (the webhook
            // path, or a Bearer header, which wins over any auth parameter), it is checked first.
            RestAdmission? admitted = null;
            if (RestParams.HasBody(http.Request) && ((RestCredential?)route.Webhook ?? RestParams.HeaderToken(http.Request)) is { } early)
            {
                admitted = await dispatcher.AdmitAsync(route.MethodName, early, http.Request.IsHttps, host, http.RequestAborted);
            }
            var parameters = await RestParams.ReadAsync(http.Request, http.RequestAborted);
            var token = RestParams.TakeToken(http.Request, parameters);
            var state = RestParams.TakeState(parameters);
            RestCredential credential = route.Webhook is not null ? route.Webhook : token is not null ? new RestCredential.Token(token) : RestCredential.None.Instance;
            var call = new RestCall(route.MethodName, credential, parameters, http.Request.IsHttps, $"{http.Request.Scheme}://{http.Request.Host}", host, http.Connection.RemoteIpAddress, state);
            RestOutcome outcome;
            using (http.RequestServices.GetService<IRequestScope>()?.Begin())
            {
                outcome = await dispatcher.InvokeAsync(call, http.RequestAborted, admitted);
            }
            await ResponseWriter.WriteAsync(http.Response, outcome, format);
        }
        catch (BadHttpRequestException bad)
        {
            var error = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? SystemErrors.RequestTooLarge : SystemErrors.BadRequest;
            await WriteIfPossibleAsync(http, error, format);
        }
        catch (RestError error)
        {
            await WriteIfPossibleAsync(http, error, format);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Faults.ConnectionDropped)
        {
            http.Abort();
        }
        catch (Exception exception)
        {
            // The path is not logged: a webhook path carries its secret. A storage failure was logged when it began.
            if (!StorageHealth.IsReported(exception))
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("B24Mail.Rest").LogError(exception, "A REST request failed");
            }
            await WriteIfPossibleAsync(http, SystemErrors.Internal, format);
        }
    }

    private static Task WriteIfPossibleAsync(HttpContext http, RestError error, ResponseFormat format)
    {
        if (http.Response.HasStarted) return Task.CompletedTask;
        http.Response.Clear();
        CorsHeaders.Apply(http.Response);
        NoCacheHeaders.Apply(http.Response);
        return ResponseWriter.WriteErrorAsync(http.Response, error, format);
    }
}
