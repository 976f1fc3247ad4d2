using System.Net;
using System.Text;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Json;
using B24Mail.Rest.Transport;
using B24Mail.Rest.Values;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Rest.OAuth;

/// <summary>
/// <c>/oauth/authorize/</c>: a small consent page (pick a user of the app's portal, approve), or, for tests
/// and scripts, <c>?client_id=…&amp;state=…&amp;user_id=N&amp;approve=Y</c> which approves at once.
/// <c>/oauth/token/</c> over GET and POST. Anyone who reaches the consent page may approve as any user of
/// the portal: it is a development stand-in for a portal's login. Operators switch it off (<c>--oauth-consent false</c>).
/// </summary>
public static class OAuthEndpoints
{
    public static IEndpointRouteBuilder MapBitrixOAuth(this IEndpointRouteBuilder app)
    {
        // Routing matches these with and without the trailing slash that clients send.
        var recorder = app.ServiceProvider.GetRequiredService<IRestRecorder>();
        var time = app.ServiceProvider.GetRequiredService<TimeProvider>();
        RequestDelegate Recorded(Func<HttpContext, RestExchange?, Task> handle) => async http =>
        {
            var exchange = recorder.IsOn ? new RestExchange(http.Request.Method, http.Request.Path.Value ?? "", time.GetTimestamp(), time.GetUtcNow()) : null;
            try
            {
                await handle(http, exchange);
            }
            finally
            {
                if (exchange is not null)
                {
                    exchange.Status = http.Response.StatusCode;
                    recorder.Record(exchange);
                }
            }
        };
        // Routing matches these with and without the trailing slash that clients send.
        app.MapMethods("/oauth/token", ["GET", "POST"], Recorded(TokenAsync));
        // The authorization server's own paths (docs/decisions.md #25): server_endpoint names /oauth/rest/, and an SDK that
        // takes /oauth as its OAuth host refreshes at /oauth/oauth/token/, as it would at the cloud's.
        app.MapMethods("/oauth/oauth/token", ["GET", "POST"], Recorded(TokenAsync));
        app.MapMethods("/oauth/rest/{**method}", ["GET", "POST"], Recorded((http, exchange) => ServerMethodAsync(http, http.Request.RouteValues["method"] as string, exchange)));
        app.MapMethods("/oauth/authorize", ["GET", "POST"], Recorded(AuthorizeAsync));
        return app;
    }

    /// <summary>The authorization server knows one method, <c>app.info</c>; anything else is not found.</summary>
    private static async Task ServerMethodAsync(HttpContext http, string? method, RestExchange? exchange)
    {
        var server = http.RequestServices.GetRequiredService<OAuthServer>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var start = time.GetUtcNow();
        try
        {
            var name = (method ?? "").Trim('/');
            if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) name = name[..^5];
            if (!string.Equals(name, "app.info", StringComparison.OrdinalIgnoreCase)) throw SystemErrors.MethodNotFound;
            if (exchange is not null) exchange.MethodName = "app.info";
            var parameters = await RestParams.ReadAsync(http.Request, http.RequestAborted);
            var token = RestParams.TakeToken(http.Request, parameters);
            if (exchange is not null)
            {
                exchange.Params = parameters;
                exchange.Credential = token is null ? RestCredential.None.Instance : new RestCredential.Token(token);
            }
            var result = await server.ServerAppInfoAsync(token, BaseUrl(http.Request), http.Request.Host.Value ?? "", http.RequestAborted);
            var block = new Dispatch.TimeBlock(start, time.GetUtcNow(), (time.GetUtcNow() - start).TotalSeconds, 0, 0, time.LocalTimeZone);
            await WriteJsonAsync(http, 200, PhpArray.From(("result", result), ("time", block)), exchange);
        }
        catch (RestError error)
        {
            await WriteErrorAsync(http, error.Status, error, exchange);
        }
        catch (BadHttpRequestException bad)
        {
            await WriteErrorAsync(http, bad.StatusCode, OAuthError.InvalidRequest("Malformed request"), exchange);
        }
    }

    private static async Task TokenAsync(HttpContext http, RestExchange? exchange)
    {
        var server = http.RequestServices.GetRequiredService<OAuthServer>();
        try
        {
            var parameters = await RestParams.ReadAsync(http.Request, http.RequestAborted);
            if (exchange is not null) exchange.Params = parameters;
            var body = await server.TokenAsync(parameters, BaseUrl(http.Request), http.Request.Host.Value ?? "", http.RequestAborted);
            await WriteJsonAsync(http, 200, body, exchange);
        }
        catch (RestError error)
        {
            await WriteErrorAsync(http, error.Status, error, exchange);
        }
        catch (BadHttpRequestException bad)
        {
            await WriteErrorAsync(http, bad.StatusCode, OAuthError.InvalidRequest("Malformed request"), exchange);
        }
    }

    private static Task WriteErrorAsync(HttpContext http, int status, RestError error, RestExchange? exchange)
    {
        if (exchange is not null) exchange.Error = error.Code;
        return WriteJsonAsync(http, status, ResponseWriter.ErrorBody(error), exchange);
    }

    private static async Task AuthorizeAsync(HttpContext http, RestExchange? exchange)
    {
        var options = http.RequestServices.GetRequiredService<OAuthOptions>();
        var server = http.RequestServices.GetRequiredService<OAuthServer>();
        var identity = http.RequestServices.GetRequiredService<IIdentityStore>();
        if (!options.Consent)
        {
            await WriteHtmlAsync(http, 403, "<p>The consent page is switched off on this server. Ask the operator for a token (<code>b24mail token issue</code>).</p>");
            return;
        }
        PhpArray parameters;
        try
        {
            parameters = await RestParams.ReadAsync(http.Request, http.RequestAborted);
            if (exchange is not null) exchange.Params = parameters;
        }
        catch (Exception exception) when (exception is RestError or BadHttpRequestException)
        {
            await WriteHtmlAsync(http, 400, "<p>Malformed request.</p>");
            return;
        }
        var clientId = parameters["client_id"] as string;
        var state = parameters["state"] as string ?? "";
        // The state goes back into a Location header and the page: a client may not make either as large as it likes.
        if (state.Length > MaxStateLength)
        {
            await WriteHtmlAsync(http, 400, $"<p>The state parameter is longer than {MaxStateLength} characters.</p>");
            return;
        }
        var found = await server.FindAppAsync(clientId, http.RequestAborted);
        if (found is not { } target)
        {
            // As on a real portal, a failure is shown here and nothing is sent to the app.
            await WriteHtmlAsync(http, 400, "<p>Unknown application.</p>");
            return;
        }
        var users = (await identity.ListUsersAsync(target.Portal.Id, http.RequestAborted)).Where(u => u.IsActive).ToList();
        if (parameters["approve"] is "Y" or "y" or "1")
        {
            var user = ParamConvert.TryId(parameters["user_id"], out var userId) ? users.FirstOrDefault(u => u.Id == userId) : null;
            if (user is null)
            {
                await WriteHtmlAsync(http, 400, "<p>Choose an active user of this portal.</p>");
                return;
            }
            var code = await server.ApproveAsync(target.App, user, http.RequestAborted);
            NoCacheHeaders.Apply(http.Response);
            http.Response.Redirect(RedirectUrl(target.App, target.Portal, code, state, http.Request.Host.Value ?? ""));
            return;
        }
        await WriteHtmlAsync(http, 200, ConsentPage(target.App, target.Portal, users, state));
    }

    /// <summary>Longer than any state an app uses (a random nonce, or a short encoded return path).</summary>
    public const int MaxStateLength = 2048;

    /// <summary>The redirect of docs/protocol.md §5.1: code, state, domain, member_id, scope, server_domain.</summary>
    public static string RedirectUrl(OAuthApp app, Portal portal, string code, string state, string host)
    {
        var query = new StringBuilder();
        void Add(string name, string value) => query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        Add("code", code);
        Add("state", state);
        Add("domain", host);
        Add("member_id", portal.MemberId);
        Add("scope", string.Join(',', app.Scopes.Order(StringComparer.Ordinal)));
        Add("server_domain", host);
        var separator = app.RedirectUri.Contains('?') ? "&" + query.ToString(1, query.Length - 1) : query.ToString();
        return app.RedirectUri + separator;
    }

    private static string ConsentPage(OAuthApp app, Portal portal, IReadOnlyList<PortalUser> users, string state)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var options = string.Concat(users.Select(u => $"<option value=\"{u.Id}\">{E(u.Name)} {E(u.LastName)} (ID {u.Id}{(u.IsAdmin ? ", administrator" : "")})</option>"));
        return $"""
            <h1>{E(app.Name)} asks for access</h1>
            <p>Portal <b>{E(portal.Domain)}</b> ({E(portal.Code)}). Scopes: <b>{E(string.Join(", ", app.Scopes.Order()))}</b>.</p>
            <form method="post" action="/oauth/authorize/">
              <input type="hidden" name="client_id" value="{E(app.ClientId)}">
              <input type="hidden" name="state" value="{E(state)}">
              <input type="hidden" name="approve" value="Y">
              <label>Sign in as <select name="user_id">{options}</select></label>
              <button type="submit">Approve</button>
            </form>
            """;
    }

    private static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    private static async Task WriteJsonAsync(HttpContext http, int status, PhpArray body, RestExchange? exchange)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        NoCacheHeaders.Apply(http.Response);
        http.Response.Headers.AccessControlAllowOrigin = "*";
        var bytes = PhpJsonWriter.ToBytes(body);
        exchange?.KeepBody(bytes);
        await http.Response.Body.WriteAsync(bytes);
    }

    private static Task WriteHtmlAsync(HttpContext http, int status, string content)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        NoCacheHeaders.Apply(http.Response);
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; form-action 'self'";
        return http.Response.WriteAsync($"<!doctype html><html><head><meta charset=\"utf-8\"><title>b24mail: authorize</title></head><body>{content}</body></html>");
    }
}
