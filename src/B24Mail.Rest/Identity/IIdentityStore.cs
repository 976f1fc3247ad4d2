namespace B24Mail.Rest.Identity;

/// <summary>
/// Portals, users and webhooks. Every read sees the latest commit, since the command-line tools write from
/// other processes and the server must see their rows at once. PostgreSQL reads are not cached; on SQLite,
/// credential lookups are cached per connection and dropped as soon as <c>PRAGMA data_version</c> shows a commit.
/// </summary>
public interface IIdentityStore
{
    Task<Portal?> FindPortalAsync(string code, CancellationToken cancellationToken = default);

    Task<Portal?> FindPortalByIdAsync(long id, CancellationToken cancellationToken = default);

    Task<Portal?> FindPortalByDomainAsync(string domain, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Portal>> ListPortalsAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a portal together with its administrator, user 1, in one transaction.</summary>
    Task<Portal> AddPortalAsync(string code, string memberId, string domain, string siteId, string adminName, string adminEmail, string licenseType = Licence.DefaultType, string language = Licence.DefaultLanguage, CancellationToken cancellationToken = default);

    /// <summary>Sets the portal's licence type and language (docs/decisions.md #24).</summary>
    Task<bool> SetPortalLicenseAsync(long portalId, string licenseType, string language, CancellationToken cancellationToken = default);

    /// <summary>Sets whether the portal answers calls (docs/decisions.md #31).</summary>
    Task<bool> SetPortalStateAsync(long portalId, PortalState state, CancellationToken cancellationToken = default);

    /// <summary>Sets the portal's own rate limit, or back to the server's with null.</summary>
    Task<bool> SetPortalRateLimitAsync(long portalId, Limits.RateLimit? limit, CancellationToken cancellationToken = default);

    Task<PortalUser> AddUserAsync(long portalId, string name, string lastName, string email, bool isAdmin, CancellationToken cancellationToken = default);

    Task<PortalUser?> FindUserAsync(long portalId, long userId, CancellationToken cancellationToken = default);

    /// <summary>The users of a portal among <paramref name="userIds"/>, in one query; unknown IDs are left out.</summary>
    Task<IReadOnlyList<PortalUser>> FindUsersAsync(long portalId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PortalUser>> ListUsersAsync(long portalId, CancellationToken cancellationToken = default);

    Task<bool> SetUserActiveAsync(long portalId, long userId, bool active, CancellationToken cancellationToken = default);

    /// <summary>Gives or takes the administrator right, as a portal's administrator does in its user settings.</summary>
    Task<bool> SetUserAdminAsync(long portalId, long userId, bool admin, CancellationToken cancellationToken = default);

    /// <summary>Records that the user signed in (the consent page stands in for a portal's login): <c>LAST_LOGIN</c>.</summary>
    Task<bool> RecordLoginAsync(long portalId, long userId, CancellationToken cancellationToken = default);

    /// <summary>The webhook with this secret hash; <paramref name="host"/> names the request's domain, for <see cref="WebhookGrant.HostPortalId"/>.</summary>
    Task<WebhookGrant?> FindWebhookAsync(byte[] secretHash, string host, CancellationToken cancellationToken = default);

    Task<long> AddWebhookAsync(long portalId, long userId, byte[] secretHash, IReadOnlyCollection<string> scopes, string title, DateTimeOffset createdAt, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WebhookInfo>> ListWebhooksAsync(long portalId, CancellationToken cancellationToken = default);

    Task<bool> SetWebhookActiveAsync(long portalId, long webhookId, bool active, CancellationToken cancellationToken = default);

    Task<bool> RemoveWebhookAsync(long portalId, long webhookId, CancellationToken cancellationToken = default);
}
