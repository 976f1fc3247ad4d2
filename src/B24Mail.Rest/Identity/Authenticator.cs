using B24Mail.Rest.Errors;
using B24Mail.Rest.Transport;

namespace B24Mail.Rest.Identity;

/// <summary>
/// Turns the credential a request carried into a <see cref="Caller"/>, or the documented auth error
/// (docs/decisions.md #17). The credential decides the portal; a request to a domain that belongs to a portal
/// must carry a credential of that portal. A portal that is not active answers with its state's error as soon as
/// the credential is found, before its expiry, scope and user checks (docs/decisions.md #31).
/// </summary>
public sealed class Authenticator(IIdentityStore identity, IOAuthStore oauth, TimeProvider time)
{
    public async ValueTask<Caller> ResolveAsync(RestCredential credential, string host, CancellationToken cancellationToken)
    {
        return credential switch
        {
            RestCredential.Webhook webhook => await ResolveWebhookAsync(webhook, host, cancellationToken),
            RestCredential.Token token => await ResolveTokenAsync(token, host, cancellationToken),
            _ => throw SystemErrors.NoAuthFound,
        };
    }

    private static bool IsOtherPortalsDomain(long? hostPortalId, Portal portal) => hostPortalId is { } id && id != portal.Id;

    private async ValueTask<Caller> ResolveWebhookAsync(RestCredential.Webhook webhook, string host, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(webhook.Secret);
        var grant = await identity.FindWebhookAsync(hash, host, cancellationToken);
        if (grant is null
            || IsOtherPortalsDomain(grant.HostPortalId, grant.Portal)
            || !Secrets.Matches(grant.SecretHash, hash))
        {
            throw SystemErrors.InvalidCredentials;
        }
        RefuseUnlessActive(grant.Portal);
        if (!long.TryParse(webhook.UserId, out var userId)
            || userId != grant.User.Id
            || !grant.Active
            || !grant.User.IsActive
            || (grant.ExpiresAt is { } expires && expires <= time.GetUtcNow()))
        {
            throw SystemErrors.InvalidCredentials;
        }
        return new Caller(grant.Portal, grant.User, AuthKind.Webhook, grant.Id, grant.Scopes);
    }

    private async ValueTask<Caller> ResolveTokenAsync(RestCredential.Token token, string host, CancellationToken cancellationToken)
    {
        var grant = await oauth.FindAccessTokenAsync(Secrets.Hash(token.AccessToken), host, cancellationToken) ?? throw SystemErrors.InvalidToken;
        if (IsOtherPortalsDomain(grant.HostPortalId, grant.Portal)) throw SystemErrors.InvalidToken;
        RefuseUnlessActive(grant.Portal);
        if (grant.ExpiresAt <= time.GetUtcNow()) throw SystemErrors.ExpiredToken;
        if (!grant.User.IsActive || !grant.App.Active) throw SystemErrors.AuthorizationError;
        if (!grant.UserAllowed) throw SystemErrors.UserAccessError;
        return new Caller(grant.Portal, grant.User, AuthKind.OAuth, grant.App.Id, grant.Scopes, grant.App);
    }

    /// <summary>The error of a portal that does not answer calls, or nothing for an active one (docs/decisions.md #31).</summary>
    public static RestError? StateError(PortalState state) => state switch
    {
        PortalState.Closed => SystemErrors.PortalDeleted,
        PortalState.Blocked => SystemErrors.OverloadLimit,
        PortalState.Free => SystemErrors.CommercialPlansOnly,
        _ => null,
    };

    private static void RefuseUnlessActive(Portal portal)
    {
        if (StateError(portal.State) is { } error) throw error;
    }
}
