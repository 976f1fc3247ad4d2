using System.Text.Json;
using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace B24Mail.Server.ControlPlane.Accounts;

/// <summary>What the user, webhook and app endpoints share: the portal lookup, the answers, and how a refusal of <see cref="PortalAdmin"/> is told.</summary>
public static class AdminResults
{
    /// <summary>
    /// Runs a change of <see cref="PortalAdmin"/> on the portal named in the path: 404 for no such portal or no such thing
    /// acted on, 400 for a reference in the body that does not exist. Both are found before anything is written.
    /// </summary>
    public static async Task<IResult> OnPortalAsync(IIdentityStore identity, string code, CancellationToken cancellationToken, Func<Portal, Task<IResult>> change)
    {
        var portal = await identity.FindPortalAsync(code, cancellationToken);
        if (portal is null) return Problem.Of(StatusCodes.Status404NotFound, $"No portal '{code}'.");
        try
        {
            return await change(portal);
        }
        catch (NotFoundException missing)
        {
            return Problem.Of(StatusCodes.Status404NotFound, missing.Message);
        }
        catch (ArgumentException refused)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, refused.Message);
        }
    }

    /// <summary>The same for a change with a JSON body, read (and refused when it is not JSON) before the portal is looked up.</summary>
    public static async Task<IResult> OnPortalAsync(HttpRequest request, IIdentityStore identity, string code, CancellationToken cancellationToken, Func<Portal, JsonElement, Task<IResult>> change)
    {
        var (document, problem) = await RequestJson.ReadAsync(request, cancellationToken);
        if (problem is not null) return problem;
        using var _ = document;
        return await OnPortalAsync(identity, code, cancellationToken, portal => change(portal, document!.RootElement));
    }

    /// <summary><c>{"name": [item, ...]}</c>.</summary>
    public static IResult List<T>(string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write) => Json(json =>
    {
        json.WriteStartObject();
        json.WriteStartArray(name);
        foreach (var item in items) write(json, item);
        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>An ID from the path; one that is not a positive number names nothing there is (404, as a missing one).</summary>
    public static long Id(string text, string what) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new NotFoundException($"No {what} '{text}'.");

    public static IResult Json(Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK) =>
        Results.Text(RequestJson.Write(write), "application/json", statusCode: status);

    /// <summary>The server's first HTTPS address as clients reach it, for the URLs and token answers it hands out.</summary>
    public static string BaseUrl(IServer server) =>
        PublicAddress.BaseUrl(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);

    public static void WriteUser(Utf8JsonWriter json, PortalUser user)
    {
        json.WriteStartObject();
        json.WriteNumber("id", user.Id);
        json.WriteString("name", user.Name);
        json.WriteString("lastName", user.LastName);
        json.WriteString("email", user.Email);
        json.WriteBoolean("admin", user.IsAdmin);
        json.WriteBoolean("active", user.IsActive);
        json.WriteEndObject();
    }

    /// <summary>A webhook as listed: never its secret (only the create answer adds <c>url</c> and <c>secret</c>).</summary>
    public static void WriteWebhook(Utf8JsonWriter json, WebhookInfo webhook, string? url = null, string? secret = null)
    {
        json.WriteStartObject();
        json.WriteNumber("id", webhook.Id);
        json.WriteNumber("user", webhook.UserId);
        json.WriteStartArray("scopes");
        foreach (var scope in webhook.Scopes.Order(StringComparer.Ordinal)) json.WriteStringValue(scope);
        json.WriteEndArray();
        json.WriteString("title", webhook.Title);
        json.WriteBoolean("active", webhook.Active);
        if (webhook.ExpiresAt is { } expires) json.WriteString("expiresAt", expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        else json.WriteNull("expiresAt");
        if (url is not null) json.WriteString("url", url);
        if (secret is not null) json.WriteString("secret", secret);
        json.WriteEndObject();
    }
}
