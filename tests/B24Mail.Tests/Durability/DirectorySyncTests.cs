using B24Mail.Storage.Files;

namespace B24Mail.Tests.Durability;

/// <summary>Folder syncs and durable writes on a real folder.</summary>
public sealed class DirectorySyncTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "b24mail-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void A_folder_is_opened_and_synced_for_real()
    {
        Directory.CreateDirectory(_root);
        DirectorySync.Flush(_root);
        // Only a sync that opens the folder notices it is not there.
        if (!OperatingSystem.IsWindows()) Assert.Throws<DirectoryNotFoundException>(() => DirectorySync.Flush(Path.Combine(_root, "missing")));
    }

    [Fact]
    public void Missing_parents_are_made_too()
    {
        var folder = Path.Combine(_root, "a", "b", "c");
        DirectorySync.CreateDirectory(folder);
        Assert.True(Directory.Exists(folder));
        DirectorySync.CreateDirectory(folder);
    }

    [Fact]
    public async Task A_durable_write_that_may_not_replace_leaves_the_old_file_and_no_temporary_one()
    {
        var path = Path.Combine(_root, "f", "key.pfx");
        await DurableFile.WriteAsync(path, new byte[] { 1 }, overwrite: false, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken: TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<IOException>(() => DurableFile.WriteAsync(path, new byte[] { 2 }, overwrite: false, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal([1], await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal(["key.pfx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(f => Path.GetFileName(f)));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
