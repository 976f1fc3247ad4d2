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
        var recorder = app.ApplicationServices.GetRequiredService<IRestRecorder>();
        var registry = app.ApplicationServices.GetRequiredService<MethodRegistry>();
        var time = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Map("/rest", branch => branch.Run(http => ServeAsync(http, recorder, registry, time)));
    }

    private static async Task ServeAsync(HttpContext http, IRestRecorder recorder, MethodRegistry registry, TimeProvider time)
    {
        var began = time.GetTimestamp();
        var exchange = recorder.IsOn ? new RestExchange(http.Request.Method, http.Request.PathBase.Value + http.Request.Path.Value, began, time.GetUtcNow()) : null;
        string? name = null;
        try
        {
            name = await HandleAsync(http, exchange);
        }
        finally
        {
            var status = http.Response.StatusCode;
            RestMetrics.Record(name is not null && registry.TryGet(name, out var method) ? method.Name : "unknown", status, exchange?.Error ?? ErrorOf(http), time.GetElapsedTime(began));
            if (exchange is not null)
            {
                exchange.Status = status;
                recorder.Record(exchange);
            }
        }
    }

    private static string? ErrorOf(HttpContext http) => http.Items.TryGetValue(ErrorKey, out var code) ? code as string : null;

    // Without an exchange the error code still reaches the metrics; a boxed lookup only on an error.
    private static readonly object ErrorKey = new();

    /// <returns>The method the path named, if it named one.</returns>
    private static async Task<string?> HandleAsync(HttpContext http, RestExchange? exchange)
    {
        CorsHeaders.Apply(http.Response);
        NoCacheHeaders.Apply(http.Response);
        if (HttpMethods.IsOptions(http.Request.Method))
        {
            CorsHeaders.ApplyPreflight(http.Response);
            http.Response.StatusCode = StatusCodes.Status200OK;
            return null;
        }
        var path = http.Request.Path.Value ?? "";
        var format = RestRoute.FormatOf(path);
        string? name = null;
        try
        {
            var route = RestRoute.Parse(path);
            if (route is null)
            {
                await WriteIfPossibleAsync(http, SystemErrors.MethodNotFound, format, exchange);
                return null;
            }
            name = route.MethodName;
            if (exchange is not null)
            {
                exchange.MethodName = route.MethodName;
                exchange.Credential = route.Webhook;
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
            var call = new RestCall(route.MethodName, credential, parameters, http.Request.IsHttps, $"{http.Request.Scheme}://{http.Request.Host}", host, http.Connection.RemoteIpAddress, state) { Exchange = exchange };
            if (exchange is not null)
            {
                exchange.Credential = credential;
                exchange.Params = parameters;
            }
            RestOutcome outcome;
            using (http.RequestServices.GetService<IRequestScope>()?.Begin())
            {
                outcome = await dispatcher.InvokeAsync(call, http.RequestAborted, admitted);
            }
            if (outcome.Error is { } failure) NoteError(http, exchange, failure);
            await ResponseWriter.WriteAsync(http.Response, outcome, format, exchange);
            return name;
        }
        catch (BadHttpRequestException bad)
        {
            var error = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? SystemErrors.RequestTooLarge : SystemErrors.BadRequest;
            await WriteIfPossibleAsync(http, error, format, exchange);
        }
        catch (RestError error)
        {
            await WriteIfPossibleAsync(http, error, format, exchange);
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
            await WriteIfPossibleAsync(http, SystemErrors.Internal, format, exchange);
        }
        return name;
    }

    private static Task WriteIfPossibleAsync(HttpContext http, RestError error, ResponseFormat format, RestExchange? exchange)
    {
        if (http.Response.HasStarted) return Task.CompletedTask;
        NoteError(http, exchange, error);
        http.Response.Clear();
        CorsHeaders.Apply(http.Response);
        NoCacheHeaders.Apply(http.Response);
        return ResponseWriter.WriteErrorAsync(http.Response, error, format, exchange);
    }

    private static void NoteError(HttpContext http, RestExchange? exchange, RestError error)
    {
        if (exchange is not null) exchange.Error = error.Code;
        else http.Items[ErrorKey] = error.Code;
    }
}
