namespace B24Mail.Rest.Identity;

/// <summary>
/// Portals, users and webhooks. Reads go to the database on every call: the command-line
/// tools write from other processes, and the server must see their rows at once.
/// </summary>
public interface IIdentityStore
{
    Task<WebhookGrant?> FindWebhookAsync(byte[] secretHash, CancellationToken cancellationToken = default);

    Task<Portal?> FindPortalAsync(string code, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Portal>> ListPortalsAsync(CancellationToken cancellationToken = default);

    Task<Portal> AddPortalAsync(string code, string memberId, string domain, string siteId, CancellationToken cancellationToken = default);

    Task<PortalUser> AddUserAsync(long portalId, string name, string lastName, string email, bool isAdmin, CancellationToken cancellationToken = default);

    Task<PortalUser?> FindUserAsync(long portalId, long userId, CancellationToken cancellationToken = default);

    Task<long> AddWebhookAsync(long portalId, long userId, byte[] secretHash, IReadOnlyCollection<string> scopes, string title, DateTimeOffset createdAt, CancellationToken cancellationToken = default);
}
