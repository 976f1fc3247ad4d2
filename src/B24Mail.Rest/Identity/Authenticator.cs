using B24Mail.Rest.Errors;
using B24Mail.Rest.Transport;

namespace B24Mail.Rest.Identity;

/// <summary>
/// Turns the credential a request carried into a <see cref="Caller"/>, or the documented auth error
/// (decisions #17). The credential decides the portal; a request to a domain that belongs to a portal
/// must carry a credential of that portal.
/// </summary>
public sealed class Authenticator(IIdentityStore identity, IOAuthStore oauth, TimeProvider time)
{
    public async ValueTask<Caller> ResolveAsync(RestCredential credential, string host, CancellationToken cancellationToken)
    {
        Caller caller = credential switch
        {
            RestCredential.Webhook webhook => await ResolveWebhookAsync(webhook, cancellationToken),
            RestCredential.Token token => await ResolveTokenAsync(token, cancellationToken),
            _ => throw SystemErrors.NoAuthFound,
        };
        if (!string.Equals(host, caller.Portal.Domain, StringComparison.OrdinalIgnoreCase)
            && await identity.FindPortalByDomainAsync(host, cancellationToken) is { } hostPortal
            && hostPortal.Id != caller.Portal.Id)
        {
            throw caller.Kind == AuthKind.Webhook ? SystemErrors.InvalidCredentials : SystemErrors.InvalidToken;
        }
        return caller;
    }

    private async ValueTask<Caller> ResolveWebhookAsync(RestCredential.Webhook webhook, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(webhook.Secret);
        var grant = await identity.FindWebhookAsync(hash, cancellationToken);
        if (grant is null
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

    private async ValueTask<Caller> ResolveTokenAsync(RestCredential.Token token, CancellationToken cancellationToken)
    {
        var grant = await oauth.FindAccessTokenAsync(Secrets.Hash(token.AccessToken), cancellationToken) ?? throw SystemErrors.InvalidToken;
        if (grant.ExpiresAt <= time.GetUtcNow()) throw SystemErrors.ExpiredToken;
        if (!grant.User.IsActive || !grant.App.Active) throw SystemErrors.AuthorizationError;
        return new Caller(grant.Portal, grant.User, AuthKind.OAuth, grant.App.Id, grant.Scopes, grant.App);
    }
}
