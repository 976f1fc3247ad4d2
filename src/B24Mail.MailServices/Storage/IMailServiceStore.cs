namespace B24Mail.MailServices.Storage;

/// <summary>
/// Mail services and their icon files. Every call is scoped by portal; an ID from another portal is simply
/// not found. Icon rows live here, beside the services that refer to them, so that replacing or deleting a
/// logo and dropping the unreferenced file row happen in one transaction.
/// </summary>
public interface IMailServiceStore
{
    Task MigrateAsync();

    Task<MailService?> GetAsync(long portalId, long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MailService>> ListActiveAsync(long portalId, string siteId, CancellationToken cancellationToken = default);

    Task<long> AddAsync(long portalId, string siteId, MailServiceChanges values, IconWrite? icon, CancellationToken cancellationToken = default);

    Task<MailServiceWrite> UpdateAsync(long portalId, long id, MailServiceChanges changes, IconWrite? icon, CancellationToken cancellationToken = default);

    Task<MailServiceWrite> DeleteAsync(long portalId, long id, CancellationToken cancellationToken = default);

    Task<bool> IconExistsAsync(long portalId, long fileId, CancellationToken cancellationToken = default);

    /// <summary>Finds an icon by file ID and key, whatever its portal: the key in the URL is the secret.</summary>
    Task<IconFile?> FindIconAsync(long fileId, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Provisions a portal's services once: adds <paramref name="presets"/> (none with <c>--presets false</c>)
    /// unless it already has services, and marks it provisioned in the same transaction. Safe, and cheap, to
    /// run on every start: a start cut short before this is finished by the next.
    /// </summary>
    Task SeedAsync(long portalId, string siteId, IReadOnlyList<MailServiceChanges> presets, CancellationToken cancellationToken = default);
}
