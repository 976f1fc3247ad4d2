using System.Globalization;
using B24Mail.Rest.Health;
using B24Mail.Storage;
using B24Mail.Storage.Files;

namespace B24Mail.MailServices.Icons;

/// <summary>
/// Icons as files: <c>{root}/portals/{portal}/icons/{key}</c>. The root is the data folder, or a folder all
/// nodes share. A file is on disk before the row that names it is written, and stays there through a power cut.
/// </summary>
public sealed class DiskIconBlobStore(string root, StorageHealth? health = null) : IIconBlobStore
{
    private const string Source = "logo folder";

    /// <summary>How old a temporary file must be before a start takes it for a crashed write's leftover rather than a write at work.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    public async Task SaveAsync(long portalId, string key, byte[] content, CancellationToken cancellationToken = default)
    {
        try
        {
            await DurableFile.WriteAsync(PathOf(portalId, key), content, cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (StorageFailures.Condition(exception) is { } condition)
        {
            health?.Failed(Source, condition, exception);
            throw;
        }
        health?.Succeeded(Source);
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

    /// <summary>Deletes what writes killed mid-way left in the icon folders: only there, so a start stays cheap.</summary>
    public void RemoveStaleTemporaryFiles(DateTimeOffset now)
    {
        var portals = Path.Combine(root, "portals");
        if (!Directory.Exists(portals)) return;
        foreach (var portal in Directory.EnumerateDirectories(portals))
        {
            DurableFile.RemoveStaleTemporaryFiles(Path.Combine(portal, "icons"), now - StaleAfter);
        }
    }

    /// <summary>
    /// For the state document, inside its transaction: makes sure the file holds <paramref name="content"/>. Returns
    /// whether a new file was made (to remove again if the transaction does not commit); false when an identical
    /// file was there. An existing file with other content is left alone and this returns null: rows still
    /// name it until the commit, so the caller must use another key.
    /// </summary>
    internal bool? Ensure(long portalId, string key, byte[] content)
    {
        var path = PathOf(portalId, key);
        if (File.Exists(path)) return File.ReadAllBytes(path).AsSpan().SequenceEqual(content) ? false : null;
        DurableFile.Write(path, content, overwrite: false);
        return true;
    }

    internal byte[]? Read(long portalId, string key)
    {
        try
        {
            return File.ReadAllBytes(PathOf(portalId, key));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    internal void Delete(long portalId, string key) => File.Delete(PathOf(portalId, key));

    // Keys are 32 hex digits made by this server; anything else never reaches the file system.
    private string PathOf(long portalId, string key) => key.Length == 32 && key.All(char.IsAsciiHexDigitLower)
        ? Path.Combine(root, "portals", portalId.ToString(CultureInfo.InvariantCulture), "icons", key)
        : throw new ArgumentException("Not an icon key.", nameof(key));
}
