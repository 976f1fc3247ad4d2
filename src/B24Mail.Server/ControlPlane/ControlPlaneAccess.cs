using System.Net;
using System.Security.Cryptography;
using System.Text;
using B24Mail.Server.Hosting;

namespace B24Mail.Server.ControlPlane;

/// <summary>
/// Who may use the control plane. Loopback clients may, others only with <c>Authorization: Bearer</c> and the
/// admin key. Because loopback is trusted without a key, a page in the user's own browser is the threat: it can
/// send requests to localhost. So, without the key, the <c>Host</c> must be one this server answers to (a DNS
/// rebinding page sends its own name); and every write must come from no other origin
/// (<c>Origin</c>, <c>Sec-Fetch-Site</c>) and, with a body, be <c>application/json</c>, which no
/// HTML form can send and which a cross-site script cannot send without a preflight this server never grants.
/// </summary>
public sealed class ControlPlaneAccess(RequestDelegate next, ControlPlaneOptions options, ServerSettings server)
{
    private readonly byte[]? _adminKey = string.IsNullOrEmpty(options.AdminKey) ? null : Encoding.UTF8.GetBytes(options.AdminKey);

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ControlPlaneEndpoint>() is null) return next(context);
        return Refusal(context) is { } refusal ? refusal : next(context);
    }

    private Task? Refusal(HttpContext context)
    {
        var request = context.Request;
        var key = PresentedKey(request);
        if (key is not null && !KeyMatches(key))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem.WriteAsync(context, StatusCodes.Status401Unauthorized, "The admin key is wrong.");
        }
        var withKey = key is not null;
        if (!withKey && !IsLoopback(context.Connection.RemoteIpAddress))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem.WriteAsync(context, StatusCodes.Status401Unauthorized,
                _adminKey is null
                    ? "The control plane answers loopback clients only; start the server with --admin-key to let others in."
                    : "Clients other than loopback need Authorization: Bearer <admin key>.");
        }
        if (!withKey && !IsOwnHost(request.Host.Host))
        {
            return Problem.WriteAsync(context, StatusCodes.Status403Forbidden, $"Host '{request.Host.Host}' is not this server's; use localhost, an IP address or --domain.");
        }
        if (IsWrite(request.Method))
        {
            if (IsCrossSite(request))
            {
                return Problem.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-site requests may not change the server.");
            }
            if (!HttpMethods.IsDelete(request.Method) && !IsJson(request.ContentType))
            {
                return Problem.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Writes take Content-Type: application/json.");
            }
        }
        return null;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private bool KeyMatches(string key) =>
        _adminKey is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), _adminKey);

    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>
    /// A name a rebinding page could not have: an IP literal (it would have to be the attacker's name), a
    /// <c>localhost</c> name (browsers resolve those to loopback themselves), or the server's configured domain.
    /// </summary>
    private bool IsOwnHost(string host) =>
        IPAddress.TryParse(host, out _)
        || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || host.Equals(server.Domain, StringComparison.OrdinalIgnoreCase);

    private static bool IsWrite(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsCrossSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site") return true;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false;
        // "null" (a sandboxed frame, a file) is never this server.
        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !uri.Scheme.Equals(request.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);
}
