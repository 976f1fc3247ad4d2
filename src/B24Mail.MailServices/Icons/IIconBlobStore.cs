namespace B24Mail.MailServices.Icons;

/// <summary>Icon file content, by portal and key. Metadata lives in the mail service store.</summary>
public interface IIconBlobStore
{
    Task SaveAsync(long portalId, string key, byte[] content, CancellationToken cancellationToken = default);

    Task<byte[]?> ReadAsync(long portalId, string key, CancellationToken cancellationToken = default);

    Task DeleteAsync(long portalId, string key);
}
