using B24Mail.Rest.Identity;
using B24Mail.Rest.OAuth;
using B24Mail.Rest.Values;

namespace B24Mail.Server.Hosting;

/// <summary>
/// Users, webhooks and apps of a portal as an operator changes them: the commands (<c>user add</c>, <c>webhook add</c>,
/// <c>app restrict</c>, <c>token issue</c>, ...) and the control plane's <c>/_b24mail/portals/{code}/...</c> both go
/// through here, so both check the same things in the same order. A reference that does not exist is an
/// <see cref="ArgumentException"/> (a <see cref="NotFoundException"/> for the thing acted on), thrown before anything is written.
/// </summary>
public sealed class PortalAdmin(IIdentityStore identity, IOAuthStore oauth, OAuthServer server, Provisioning provisioning)
{
    /// <summary>Scope codes as the parser of <c>--scope</c> and the control plane take them: lower-case letters, digits, '_'.</summary>
    public static bool IsScope(string scope) => scope.Length > 0 && scope.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>What a redirect URI must be: an absolute http(s) URL, where the consent page sends the code.</summary>
    public static bool IsRedirectUri(string uri) => Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https";

    public Task<PortalUser> AddUserAsync(Portal portal, string name, string lastName, string email, bool admin, CancellationToken cancellationToken = default) =>
        identity.AddUserAsync(portal.Id, name, lastName, email, admin, cancellationToken);

    public async Task<PortalUser> FindUserAsync(Portal portal, long userId, CancellationToken cancellationToken = default) =>
        await identity.FindUserAsync(portal.Id, userId, cancellationToken) ?? throw new NotFoundException($"User {userId} does not exist in portal '{portal.Code}'.");

    public async Task<PortalUser> SetUserActiveAsync(Portal portal, long userId, bool active, CancellationToken cancellationToken = default)
    {
        var user = await FindUserAsync(portal, userId, cancellationToken);
        await identity.SetUserActiveAsync(portal.Id, user.Id, active, cancellationToken);
        return user with { IsActive = active };
    }

    public async Task<PortalUser> SetUserAdminAsync(Portal portal, long userId, bool admin, CancellationToken cancellationToken = default)
    {
        var user = await FindUserAsync(portal, userId, cancellationToken);
        await identity.SetUserAdminAsync(portal.Id, user.Id, admin, cancellationToken);
        return user with { IsAdmin = admin };
    }

    /// <summary>Makes a webhook for a user of the portal; the user is a reference here, so a missing one is a refused value.</summary>
    public Task<AddedWebhook> AddWebhookAsync(Portal portal, long userId, IReadOnlyCollection<string> scopes, string title, TimeSpan? lifetime = null) =>
        provisioning.AddWebhookAsync(portal, userId, scopes, title, lifetime);

    public async Task RemoveWebhookAsync(Portal portal, long webhookId, CancellationToken cancellationToken = default)
    {
        if (!await identity.RemoveWebhookAsync(portal.Id, webhookId, cancellationToken)) throw new NotFoundException($"No webhook {webhookId} in portal '{portal.Code}'.");
    }

    public async Task SetWebhookActiveAsync(Portal portal, long webhookId, bool active, CancellationToken cancellationToken = default)
    {
        if (!await identity.SetWebhookActiveAsync(portal.Id, webhookId, active, cancellationToken)) throw new NotFoundException($"No webhook {webhookId} in portal '{portal.Code}'.");
    }

    public Task<InstalledApp> AddAppAsync(Portal portal, string name, IReadOnlyCollection<string> scopes, string redirectUri, CancellationToken cancellationToken = default) =>
        server.InstallAsync(portal, name, scopes, redirectUri, cancellationToken);

    /// <summary>The app of this portal with that client_id; another portal's app is as unknown as none.</summary>
    public async Task<OAuthApp> FindAppAsync(Portal portal, string clientId, CancellationToken cancellationToken = default)
    {
        var found = await oauth.FindAppAsync(clientId, cancellationToken);
        if (found is null || found.PortalId != portal.Id) throw new NotFoundException($"No app '{clientId}' in portal '{portal.Code}'.");
        return found;
    }

    /// <summary>Limits the app to these users (every one must exist), or opens it to all with none; returns the distinct IDs.</summary>
    public async Task<long[]> RestrictAppAsync(Portal portal, string clientId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default)
    {
        var app = await FindAppAsync(portal, clientId, cancellationToken);
        var ids = userIds.Distinct().ToArray();
        var known = await identity.FindUsersAsync(portal.Id, ids, cancellationToken);
        if (ids.FirstOrDefault(id => known.All(u => u.Id != id)) is var missing and > 0) throw new ArgumentException($"User {missing} does not exist in portal '{portal.Code}'.");
        await oauth.SetAppUsersAsync(app.Id, ids, cancellationToken);
        return ids;
    }

    /// <summary>A token pair for an active user, without the consent page; the answer is the one <c>/oauth/token/</c> gives.</summary>
    public async Task<PhpArray> IssueTokenAsync(Portal portal, string clientId, long userId, string baseUrl, CancellationToken cancellationToken = default)
    {
        var app = await FindAppAsync(portal, clientId, cancellationToken);
        var owner = await identity.FindUserAsync(portal.Id, userId, cancellationToken) ?? throw new ArgumentException($"User {userId} does not exist in portal '{portal.Code}'.");
        if (!owner.IsActive) throw new ArgumentException($"User {owner.Id} is not active.");
        var issued = await server.IssueAsync(app, owner, cancellationToken);
        return server.Response(issued, new GrantOwner(portal, owner, app, app.Scopes), baseUrl, new Uri(baseUrl).Authority);
    }
}
