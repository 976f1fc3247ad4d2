using B24Mail.Rest.Errors;
using B24Mail.Rest.Faults;
using B24Mail.Rest.Health;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Limits;
using B24Mail.Rest.Transport;
using B24Mail.Rest.Values;
using Microsoft.Extensions.Logging;

namespace B24Mail.Rest.Dispatch;

/// <summary>
/// The one path every call takes, whether it came over HTTP or from inside a batch (docs/protocol.md §4.5): method
/// lookup, HTTPS rule, credential, rate limit, scope, operating limit, admin right, handler, time block and,
/// for a call that carried <c>state</c>, the signature. A batch command skips the steps its outer call already did (HTTPS, credential, rate).
/// A fault rule (<see cref="IFaultHook"/>) is asked right after the credential, for the call and for each batch command.
/// </summary>
public sealed class Dispatcher(MethodRegistry registry, Authenticator authenticator, RestLimits limits, RestOptions options, TimeProvider time, ILogger<Dispatcher> logger,
    IIdentityStore identity, IFaultHook? faults = null)
{
    /// <summary>
    /// The steps that need no parameters: method lookup (decided before authentication, so an unknown method
    /// answers 404 whatever the credential), the HTTPS rule and the credential. The transport runs them before
    /// it reads a body when the credential is outside it, so a refused request costs no body.
    /// </summary>
    public async ValueTask<RestAdmission> AdmitAsync(string methodName, RestCredential credential, bool isHttps, string host, CancellationToken cancellationToken)
    {
        try
        {
            if (!registry.TryGet(methodName, out var method)) throw SystemErrors.MethodNotFound;
            if (credential is RestCredential.Webhook && !isHttps && !options.AllowHttpWebhooks) throw SystemErrors.HttpsRequired;
            return new RestAdmission(method, await authenticator.ResolveAsync(credential, host, cancellationToken));
        }
        catch (RestError)
        {
            // A closed portal's domain answers PORTAL_DELETED before the method lookup (docs/decisions.md #31). Looked up
            // only when a step before the credential failed: on success the credential's portal is the domain's, and
            // its state was checked with it, so the common path pays no extra query.
            if (await IsClosedDomainAsync(host, cancellationToken)) throw SystemErrors.PortalDeleted;
            throw;
        }
    }

    private async Task<bool> IsClosedDomainAsync(string host, CancellationToken cancellationToken) =>
        host.Length > 0 && await identity.FindPortalByDomainAsync(host, cancellationToken) is { State: PortalState.Closed };

    /// <summary>A call, admitted here unless the transport already did (<paramref name="admitted"/>).</summary>
    public async ValueTask<RestOutcome> InvokeAsync(RestCall call, CancellationToken cancellationToken, RestAdmission? admitted = null)
    {
        var start = time.GetUtcNow();
        try
        {
            var (method, caller) = admitted ?? await AdmitAsync(call.MethodName, call.Credential, call.IsHttps, call.Host, cancellationToken);
            if (call.Exchange is { } exchange) exchange.Caller = caller;
            if (await FaultAsync(method.Name, caller, cancellationToken) is { } forced) return RestOutcome.Failure(forced);
            if (!await limits.AcceptRequestAsync(caller.Portal, call.ClientIp, start, cancellationToken)) return RestOutcome.Failure(SystemErrors.QueryLimitExceeded);
            return await ExecuteAsync(method, caller, call.Params, call.BaseUrl, start, inBatch: false, call.State, cancellationToken, call.Exchange);
        }
        catch (RestError error)
        {
            return RestOutcome.Failure(error);
        }
    }

    /// <summary>One command of a batch: the outer call has already authenticated and been counted.</summary>
    public async ValueTask<RestOutcome> InvokeCommandAsync(Caller caller, string methodName, PhpArray parameters, string baseUrl, CancellationToken cancellationToken)
    {
        var start = time.GetUtcNow();
        if (!registry.TryGet(methodName, out var method)) return RestOutcome.Failure(SystemErrors.MethodNotFound);
        if (!method.AllowedInBatch) return RestOutcome.Failure(SystemErrors.BatchMethodNotAllowed);
        if (await FaultAsync(method.Name, caller, cancellationToken) is { } forced) return RestOutcome.Failure(forced);
        return await ExecuteAsync(method, caller, parameters, baseUrl, start, inBatch: true, state: null, cancellationToken);
    }

    /// <summary>Applies a fired fault rule: waits, drops the connection, or gives the error the call answers instead of running.</summary>
    private async ValueTask<RestError?> FaultAsync(string methodName, Caller caller, CancellationToken cancellationToken)
    {
        if (faults is null || await faults.NextAsync(methodName, caller, cancellationToken) is not { } fault) return null;
        if (fault.Delay > TimeSpan.Zero) await Task.Delay(fault.Delay, time, cancellationToken);
        if (fault.Drop) throw new ConnectionDropped();
        return fault.Error;
    }

        private async ValueTask<RestOutcome> ExecuteAsync(RestMethod method, Caller caller, PhpArray parameters, string baseUrl, DateTimeOffset start, bool inBatch, string? state, CancellationToken cancellationToken, RestExchange? exchange = null)
    {
        if (!method.IsBasic && !caller.HasAnyScope(method.Scopes))
        {
            var error = caller.Kind == AuthKind.Webhook ? SystemErrors.InsufficientScopeWebhook : SystemErrors.InsufficientScopeToken;
            // Inside a batch the real server leaves the description empty (docs/decisions.md #17).
            return RestOutcome.Failure(inBatch ? error.WithDescription("") : error);
        }

        var operatingKey = method.CountsOperating ? RestLimits.OperatingKey(caller, method.Name) : null;
        var baskets = operatingKey is null ? OperatingBaskets.Empty : await limits.BasketsAsync(operatingKey, start, cancellationToken);
        if (limits.IsBlocked(baskets)) return RestOutcome.Failure(SystemErrors.OperationTimeLimit);

        var began = time.GetTimestamp();
        object? result = null;
        RestError? failure = null;
        var context = new RestContext(caller, parameters, baseUrl, this, cancellationToken) { InBatch = inBatch, Exchange = exchange };
        try
        {
            if (method.DeniedToNonAdmins is { } denied && !caller.User.IsAdmin) throw denied();
            result = await method.Handler(context);
        }
        catch (RestError error)
        {
            failure = error;
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not ConnectionDropped)
        {
            // A storage failure was logged once when it began; each request meeting it would only repeat it.
            if (!StorageHealth.IsReported(exception)) logger.LogError(exception, "Method {Method} failed", method.Name);
            failure = SystemErrors.Internal;
        }
        var processing = time.GetElapsedTime(began).TotalSeconds;
        if (operatingKey is not null) baskets = await limits.RecordAsync(operatingKey, start, processing, cancellationToken);
        if (failure is not null) return RestOutcome.Failure(failure);
        var block = new TimeBlock(start, time.GetUtcNow(), processing, baskets.ResetAt(start.UtcTicks), Math.Round(baskets.Total, 6), time.LocalTimeZone);
        // Only an app can be answered with a signature: a webhook has no client_secret to key it (docs/decisions.md #26).
        var signature = state is not null && context.SecurityState is { } secured && caller.App?.SigningKey is { } key
            ? SecuritySignature.Sign(secured, state, key)
            : null;
        return RestOutcome.Success(result, block, signature);
    }
}
