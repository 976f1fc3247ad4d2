using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;

namespace B24Mail.Server.ControlPlane.Accounts;

/// <summary>
/// <c>/_b24mail/portals/{code}/webhooks</c>: list (never a secret), add (as <c>webhook add</c>; the answer is the only
/// place its secret and URL ever appear, as only the hash is stored), activate or deactivate, and remove.
/// </summary>
public static class WebhookEndpoints
{
    public static void MapWebhooks(this RouteGroupBuilder group)
    {
        group.MapGet("/portals/{code}/webhooks", (string code, IIdentityStore identity, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(identity, code, cancellationToken, async portal =>
            {
                var webhooks = await identity.ListWebhooksAsync(portal.Id, cancellationToken);
                return AdminResults.List("webhooks", webhooks, (json, item) => AdminResults.WriteWebhook(json, item));
            }));

        group.MapPost("/portals/{code}/webhooks", (string code, HttpRequest request, IIdentityStore identity, PortalAdmin admin, IServer server, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(request, identity, code, cancellationToken, async (portal, sent) =>
            {
                var body = new BodyFields(sent, "user", "scopes", "title", "expiresIn");
                var user = body.Number("user", required: true);
                var scopes = body.Scopes("scopes");
                var title = body.Text("title", required: false);
                var expiresIn = body.Number("expiresIn", required: false);
                if (expiresIn > 10L * 366 * 86400) body.Problems.Add(new("$.expiresIn", "Seconds, at most ten years."));
                if (body.Refused("The webhook is refused; nothing was stored.") is { } refused) return refused;
                TimeSpan? lifetime = expiresIn is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
                var added = await admin.AddWebhookAsync(portal, user!.Value, scopes!, title ?? "control plane", lifetime);
                var stored = (await identity.ListWebhooksAsync(portal.Id, cancellationToken)).First(w => w.Id == added.Id);
                var secret = added.Path.Split('/')[3];
                return AdminResults.Json(json => AdminResults.WriteWebhook(json, stored, AdminResults.BaseUrl(server) + added.Path, secret), StatusCodes.Status201Created);
            }));

        group.MapPost("/portals/{code}/webhooks/{id}", (string code, string id, HttpRequest request, IIdentityStore identity, PortalAdmin admin, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(request, identity, code, cancellationToken, async (portal, sent) =>
            {
                var body = new BodyFields(sent, "active");
                var active = body.Flag("active", required: true);
                if (body.Refused("The webhook change is refused; nothing was changed.") is { } refused) return refused;
                var webhook = AdminResults.Id(id, "webhook");
                await admin.SetWebhookActiveAsync(portal, webhook, active!.Value, cancellationToken);
                var stored = (await identity.ListWebhooksAsync(portal.Id, cancellationToken)).First(w => w.Id == webhook);
                return AdminResults.Json(json => AdminResults.WriteWebhook(json, stored));
            }));

        group.MapDelete("/portals/{code}/webhooks/{id}", (string code, string id, IIdentityStore identity, PortalAdmin admin, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(identity, code, cancellationToken, async portal =>
            {
                await admin.RemoveWebhookAsync(portal, AdminResults.Id(id, "webhook"), cancellationToken);
                return Results.NoContent();
            }));
    }
}
