namespace B24Mail.MailServices.Icons;

/// <summary>Icon file content, by portal and key. Metadata lives in the mail service store.</summary>
public interface IIconBlobStore
{
    Task SaveAsync(long portalId, string key, byte[] content, CancellationToken cancellationToken = default);

    Task<byte[]?> ReadAsync(long portalId, string key, CancellationToken cancellationToken = default);

    Task DeleteAsync(long portalId, string key);
}

/// <summary>Icons as files: <c>{root}/portals/{portal}/icons/{key}</c>. The root is the data folder, or a folder all nodes share.</summary>
public sealed class DiskIconBlobStore(string root) : IIconBlobStore
{
    public async Task SaveAsync(long portalId, string key, byte[] content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(portalId, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await file.WriteAsync(content, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public async Task<byte[]?> ReadAsync(long portalId, string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(portalId, key), cancellationToken);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task DeleteAsync(long portalId, string key)
    {
        File.Delete(PathOf(portalId, key));
        return Task.CompletedTask;
    }

    // Keys are 32 hex digits made by this server; anything else never reaches the file system.
    private string PathOf(long portalId, string key) => key.Length == 32 && key.All(char.IsAsciiHexDigitLower)
        ? Path.Combine(root, "portals", portalId.ToString(System.Globalization.CultureInfo.InvariantCulture), "icons", key)
        : throw new ArgumentException("Not an icon key.", nameof(key));
}
