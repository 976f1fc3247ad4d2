using B24Mail.Rest.Identity;
using B24Mail.Rest.Json;
using B24Mail.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;

namespace B24Mail.Server.ControlPlane.Accounts;

/// <summary>
/// <c>/_b24mail/portals/{code}/apps</c>: install an OAuth app (as <c>app add</c>; the answer is the only place its
/// client_secret appears), limit it to some users (as <c>app restrict</c>), and issue a token pair without the consent
/// page (as <c>token issue</c>, answered exactly as <c>/oauth/token/</c> answers, so a client can use it unchanged).
/// </summary>
public static class AppEndpoints
{
    public static void MapApps(this RouteGroupBuilder group)
    {
        group.MapPost("/portals/{code}/apps", (string code, HttpRequest request, IIdentityStore identity, PortalAdmin admin, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(request, identity, code, cancellationToken, async (portal, sent) =>
            {
                var body = new BodyFields(sent, "name", "scopes", "redirectUri");
                var name = body.Text("name", required: true);
                var scopes = body.Scopes("scopes");
                var redirectUri = body.Text("redirectUri", required: true, PortalAdmin.IsRedirectUri, "An absolute http(s) URL.");
                if (body.Refused("The app is refused; nothing was stored.") is { } refused) return refused;
                var installed = await admin.AddAppAsync(portal, name!, scopes!, redirectUri!, cancellationToken);
                return AdminResults.Json(json =>
                {
                    json.WriteStartObject();
                    json.WriteString("clientId", installed.App.ClientId);
                    json.WriteString("clientSecret", installed.ClientSecret);
                    json.WriteString("name", installed.App.Name);
                    json.WriteStartArray("scopes");
                    foreach (var scope in installed.App.Scopes.Order(StringComparer.Ordinal)) json.WriteStringValue(scope);
                    json.WriteEndArray();
                    json.WriteString("redirectUri", installed.App.RedirectUri);
                    json.WriteEndObject();
                }, StatusCodes.Status201Created);
            }));

        group.MapPost("/portals/{code}/apps/{clientId}/users", (string code, string clientId, HttpRequest request, IIdentityStore identity, PortalAdmin admin, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(request, identity, code, cancellationToken, async (portal, sent) =>
            {
                var body = new BodyFields(sent, "users");
                var users = body.Ids("users");
                if (body.Refused("The restriction is refused; nothing was changed.") is { } refused) return refused;
                var ids = await admin.RestrictAppAsync(portal, clientId, users!, cancellationToken);
                return AdminResults.List("users", ids.Order(), (json, id) => json.WriteNumberValue(id));
            }));

        group.MapPost("/portals/{code}/apps/{clientId}/tokens", (string code, string clientId, HttpRequest request, IIdentityStore identity, PortalAdmin admin, IServer server, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(request, identity, code, cancellationToken, async (portal, sent) =>
            {
                var body = new BodyFields(sent, "user");
                var user = body.Number("user", required: true);
                if (body.Refused("The token request is refused; nothing was issued.") is { } refused) return refused;
                var answer = await admin.IssueTokenAsync(portal, clientId, user!.Value, AdminResults.BaseUrl(server), cancellationToken);
                return Results.Text(PhpJsonWriter.ToJson(answer), "application/json", statusCode: StatusCodes.Status201Created);
            }));
    }
}
