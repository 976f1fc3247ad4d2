using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;

namespace B24Mail.Server.ControlPlane.Accounts;

/// <summary>
/// <c>/_b24mail/portals/{code}/users</c>: list, add (as <c>user add</c>), and activate or deactivate one (as
/// <c>user activate</c>/<c>deactivate</c>), or give and take the administrator right (the console's "make admin").
/// </summary>
public static class UserEndpoints
{
    public static void MapUsers(this RouteGroupBuilder group)
    {
        group.MapGet("/portals/{code}/users", (string code, IIdentityStore identity, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(identity, code, cancellationToken, async portal =>
            {
                var users = await identity.ListUsersAsync(portal.Id, cancellationToken);
                return AdminResults.List("users", users, (json, item) => AdminResults.WriteUser(json, item));
            }));

        group.MapPost("/portals/{code}/users", (string code, HttpRequest request, IIdentityStore identity, PortalAdmin admin, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(request, identity, code, cancellationToken, async (portal, sent) =>
            {
                var body = new BodyFields(sent, "name", "lastName", "email", "admin");
                var name = body.Text("name", required: true);
                var lastName = body.Text("lastName", required: false);
                var email = body.Text("email", required: false);
                var isAdmin = body.Flag("admin", required: false);
                if (body.Refused("The user is refused; nothing was stored.") is { } refused) return refused;
                var user = await admin.AddUserAsync(portal, name!, lastName ?? "", email ?? "", isAdmin ?? false, cancellationToken);
                return AdminResults.Json(json => AdminResults.WriteUser(json, user), StatusCodes.Status201Created);
            }));

        group.MapPost("/portals/{code}/users/{id}", (string code, string id, HttpRequest request, IIdentityStore identity, PortalAdmin admin, CancellationToken cancellationToken) =>
            AdminResults.OnPortalAsync(request, identity, code, cancellationToken, async (portal, sent) =>
            {
                var body = new BodyFields(sent, "active", "admin");
                var active = body.Flag("active", required: false);
                var isAdmin = body.Flag("admin", required: false);
                if (body.Problems.Count == 0 && active is null && isAdmin is null) body.Problems.Add(new("$", "Nothing to change: give active or admin."));
                if (body.Refused("The user change is refused; nothing was changed.") is { } refused) return refused;
                var userId = AdminResults.Id(id, "user");
                var user = await admin.FindUserAsync(portal, userId, cancellationToken);
                if (active is { } a) user = await admin.SetUserActiveAsync(portal, userId, a, cancellationToken);
                if (isAdmin is { } m) user = await admin.SetUserAdminAsync(portal, userId, m, cancellationToken);
                return AdminResults.Json(json => AdminResults.WriteUser(json, user));
            }));
    }
}
