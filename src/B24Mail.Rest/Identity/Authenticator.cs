using B24Mail.Rest.Errors;
using B24Mail.Rest.Transport;

namespace B24Mail.Rest.Identity;

/// <summary>
/// Turns the credential a request carried into a <see cref="Caller"/>, or the documented auth error
/// (docs/decisions.md #17). The credential decides the portal; a request to a domain that belongs to a portal
/// must carry a credential of that portal.
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
            || !Secrets.Matches(grant.SecretHash, hash)
            || !long.TryParse(webhook.UserId, out var userId)
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
        if (grant.ExpiresAt <= time.GetUtcNow()) throw SystemErrors.ExpiredToken;
        if (!grant.User.IsActive || !grant.App.Active) throw SystemErrors.AuthorizationError;
        return new Caller(grant.Portal, grant.User, AuthKind.OAuth, grant.App.Id, grant.Scopes, grant.App);
    }
}
