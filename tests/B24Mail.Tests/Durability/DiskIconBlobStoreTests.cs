using B24Mail.MailServices.Icons;

namespace B24Mail.Tests.Durability;

/// <summary>Logo files on a real folder: a save either leaves the whole file or nothing, never a temporary file.</summary>
public sealed class DiskIconBlobStoreTests : IDisposable
{
    private const long Portal = 7;
    private const string Key = "0123456789abcdef0123456789abcdef";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "b24mail-tests", Guid.NewGuid().ToString("N"));

    private string Folder => Path.Combine(_root, "portals", "7", "icons");

    private string[] FilesInFolder => Directory.Exists(Folder) ? Directory.GetFileSystemEntries(Folder).Select(entry => Path.GetFileName(entry)).ToArray() : [];

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_save_reads_back_and_leaves_only_the_file()
    {
        var store = new DiskIconBlobStore(_root);
        byte[] content = [1, 2, 3, 4, 5];
        await store.SaveAsync(Portal, Key, content, TestContext.Current.CancellationToken);
        Assert.Equal(content, await store.ReadAsync(Portal, Key, TestContext.Current.CancellationToken));
        await store.SaveAsync(Portal, Key, [9], TestContext.Current.CancellationToken);
        Assert.Equal([9], await store.ReadAsync(Portal, Key, TestContext.Current.CancellationToken));
        Assert.Equal([Key], FilesInFolder);
    }

    [Fact]
    public async Task A_cancelled_save_leaves_no_temporary_file()
    {
        var store = new DiskIconBlobStore(_root);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(Portal, Key, new byte[4096], new CancellationToken(canceled: true)));
        Assert.Empty(FilesInFolder);
    }

    [Fact]
    public async Task A_save_whose_rename_fails_leaves_no_temporary_file()
    {
        var store = new DiskIconBlobStore(_root);
        // A folder where the file should go: writing the temporary file works, replacing the folder with it does not.
        Directory.CreateDirectory(Path.Combine(Folder, Key));
        await Assert.ThrowsAnyAsync<IOException>(() => store.SaveAsync(Portal, Key, new byte[4096], TestContext.Current.CancellationToken));
        Assert.Equal([Key], FilesInFolder);
    }

    [Fact]
    public async Task Saves_of_one_key_at_the_same_time_do_not_share_a_temporary_file()
    {
        var store = new DiskIconBlobStore(_root);
        var contents = Enumerable.Range(0, 16).Select(i => Enumerable.Repeat((byte)i, 256 * 1024).ToArray()).ToArray();
        await Task.WhenAll(contents.Select(content => Task.Run(() => store.SaveAsync(Portal, Key, content, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)));
        var saved = await store.ReadAsync(Portal, Key, TestContext.Current.CancellationToken);
        Assert.Contains(contents, content => content.AsSpan().SequenceEqual(saved));
        Assert.Equal([Key], FilesInFolder);
    }
}
