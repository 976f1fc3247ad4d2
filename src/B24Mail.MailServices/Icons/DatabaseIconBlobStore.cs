using B24Mail.Storage;

namespace B24Mail.MailServices.Icons;

/// <summary>
/// Icons in the database (<c>icon_blobs</c>), so every node serving the same database serves every icon
/// with no shared folder. The cost: icon bytes travel through the database and its backups.
/// </summary>
public sealed class DatabaseIconBlobStore(IDatabase database) : IIconBlobStore
{
    public Task SaveAsync(long portalId, string key, byte[] content, CancellationToken cancellationToken = default) => database.WriteAsync(async session =>
    {
        // Icon bytes are never read through a cache.
        session.KeepCaches();
        return await session.ExecuteAsync("INSERT INTO icon_blobs (file_key, portal_id, content) VALUES (@key, @portal, @content)", ("@key", key), ("@portal", portalId), ("@content", content));
    });

    public Task<byte[]?> ReadAsync(long portalId, string key, CancellationToken cancellationToken = default) => database.ReadAsync(async session =>
        await session.ScalarAsync("SELECT content FROM icon_blobs WHERE file_key = @key AND portal_id = @portal", ("@key", key), ("@portal", portalId)) as byte[], cancellationToken);

    public Task DeleteAsync(long portalId, string key) => database.WriteAsync(async session =>
    {
        session.KeepCaches();
        return await session.ExecuteAsync("DELETE FROM icon_blobs WHERE file_key = @key AND portal_id = @portal", ("@key", key), ("@portal", portalId));
    });
}
