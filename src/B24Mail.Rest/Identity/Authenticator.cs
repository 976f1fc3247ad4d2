using B24Mail.Rest.Errors;
using B24Mail.Rest.Transport;

namespace B24Mail.Rest.Identity;

/// <summary>Turns the credential a request carried into a <see cref="Caller"/>, or the documented auth error.</summary>
public sealed class Authenticator(IIdentityStore identity, TimeProvider time)
{
    public async ValueTask<Caller> ResolveAsync(RestCredential credential, CancellationToken cancellationToken)
    {
        switch (credential)
        {
            case RestCredential.Webhook webhook:
                return await ResolveWebhookAsync(webhook, cancellationToken);
            case RestCredential.Token:
                // OAuth tokens are not issued yet; an unknown token is wrong authorization data.
                throw SystemErrors.NoAuthFound;
            default:
                throw SystemErrors.NoAuthFound;
        }
    }

    private async ValueTask<Caller> ResolveWebhookAsync(RestCredential.Webhook webhook, CancellationToken cancellationToken)
    {
        var hash = WebhookSecrets.Hash(webhook.Secret);
        var grant = await identity.FindWebhookAsync(hash, cancellationToken);
        if (grant is null
            || !WebhookSecrets.Matches(grant.SecretHash, hash)
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
}
