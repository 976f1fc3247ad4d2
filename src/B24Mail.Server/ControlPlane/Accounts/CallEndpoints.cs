using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Faults;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Json;
using B24Mail.Rest.Transport;
using B24Mail.Rest.Values;
using B24Mail.Server.Hosting;

namespace B24Mail.Server.ControlPlane.Accounts;

/// <summary>
/// <c>POST /_b24mail/portals/{code}/call/{method}</c>: runs a REST method as the portal's first active administrator,
/// with the JSON body as its parameters, through the same <see cref="Dispatcher"/> the REST transport uses, so the
/// console's mail services and logos follow the API's rules and messages, fault rules and limits apply, and the call
/// is journaled. The answer is the REST answer as is. It needs no webhook: the control plane's access rule is the credential,
/// so the portal's state (blocked, closed), which the credential check would apply, is not asked.
/// </summary>
public static class CallEndpoints
{
    public static void MapCalls(this RouteGroupBuilder group)
    {
        group.MapPost("/portals/{code}/call/{method}", async (string code, string method, HttpContext http, IIdentityStore identity, Dispatcher dispatcher,
            MethodRegistry registry, IRestRecorder recorder, TimeProvider time, ServerSettings settings) =>
        {
            var aborted = http.RequestAborted;
            var (body, tooLarge) = await RequestJson.ReadBytesAsync(http.Request, settings.MaxBodyBytes, aborted, "--max-body-bytes");
            if (tooLarge is not null) return tooLarge;
            var parameters = body.Length == 0 ? new PhpArray() : JsonParams.Parse(body);
            if (parameters is null) return Problem.Of(StatusCodes.Status400BadRequest, "The body is a JSON object of the method's parameters.");
            var portal = await identity.FindPortalAsync(code, aborted);
            if (portal is null) return Problem.Of(StatusCodes.Status404NotFound, $"No portal '{code}'.");
            var admin = (await identity.ListUsersAsync(portal.Id, aborted)).FirstOrDefault(u => u.IsAdmin && u.IsActive);
            if (admin is null) return Problem.Of(StatusCodes.Status409Conflict, $"Portal '{code}' has no active administrator to call as.");

            var began = time.GetTimestamp();
            var exchange = recorder.IsOn ? new RestExchange(http.Request.Method, http.Request.Path.Value ?? "", began, time.GetUtcNow()) : null;
            // Every scope the server has: an administrator in the portal's own interface is not limited to a webhook's.
            var caller = new Caller(portal, admin, AuthKind.Webhook, 0, registry.All.SelectMany(m => m.Scopes).ToHashSet(StringComparer.Ordinal));
            if (exchange is not null)
            {
                exchange.MethodName = method;
                exchange.Caller = caller;
                exchange.Params = parameters;
            }
            // Logo URLs in the answer name the address the console was opened at, so its page may show them ('self').
            var call = new RestCall(method, RestCredential.None.Instance, parameters, http.Request.IsHttps, $"{http.Request.Scheme}://{http.Request.Host}",
                http.Request.Host.Host, http.Connection.RemoteIpAddress) { Exchange = exchange };
            try
            {
                RestOutcome outcome;
                using (http.RequestServices.GetService<IRequestScope>()?.Begin())
                {
                    outcome = registry.TryGet(method, out var found)
                        ? await dispatcher.InvokeAsync(call, aborted, new RestAdmission(found, caller))
                        : RestOutcome.Failure(SystemErrors.MethodNotFound);
                }
                if (exchange is not null) exchange.Error = outcome.Error?.Code;
                await ResponseWriter.WriteAsync(http.Response, outcome, ResponseFormat.Json, exchange);
            }
            catch (ConnectionDropped)
            {
                http.Abort();
            }
            finally
            {
                if (exchange is not null)
                {
                    exchange.Status = http.Response.StatusCode;
                    recorder.Record(exchange);
                }
            }
            return Results.Empty;
        });
    }
}
