using System.Security.Cryptography;

namespace B24Mail.Storage.Files;

/// <summary>
/// Writes a file so that after a crash or a power cut it is either there in full or not there: the content
/// goes to a temporary file of its own, reaches the disk, is renamed into place, and the rename reaches the
/// disk. A write that fails removes its temporary file; one killed outright leaves <c>*.tmp</c> behind for
/// <see cref="RemoveStaleTemporaryFiles"/>.
/// </summary>
public static class DurableFile
{
    public const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/>, making its folder if needed. With
    /// <paramref name="overwrite"/> false an existing file wins and this throws <see cref="IOException"/>.
    /// <paramref name="mode"/> is set on creation, so a secret is never readable by others, not even briefly.
    /// </summary>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, UnixFileMode? mode = null, CancellationToken cancellationToken = default)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        DirectorySync.CreateDirectory(folder);
        // Unique per write: writers of one path at the same time (two requests, two nodes on a shared folder) must not share one.
        var temporary = $"{path}.{RandomNumberGenerator.GetHexString(16, lowercase: true)}{TemporarySuffix}";
        try
        {
            await using (var file = new FileStream(temporary, Options(mode)))
            {
                await file.WriteAsync(content, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        DirectorySync.Flush(folder);
    }

    /// <summary>For start-up code, which is synchronous: nothing else waits on its thread.</summary>
    public static void Write(string path, byte[] content, bool overwrite = true, UnixFileMode? mode = null) =>
        WriteAsync(path, content, overwrite, mode).GetAwaiter().GetResult();

    /// <summary>
    /// Deletes the temporary files that killed writers of files named <paramref name="prefix"/>… left in
    /// <paramref name="folder"/> (not its subfolders). Only those last written before <paramref name="olderThan"/>:
    /// a fresh one may belong to a writer still at work, on this node or on another sharing the folder.
    /// </summary>
    public static void RemoveStaleTemporaryFiles(string folder, DateTimeOffset olderThan, string prefix = "")
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, prefix + "*" + TemporarySuffix))
            {
                if (File.GetLastWriteTimeUtc(file) < olderThan.UtcDateTime) TryDelete(file);
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static FileStreamOptions Options(UnixFileMode? mode)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (mode is { } unix && !OperatingSystem.IsWindows()) options.UnixCreateMode = unix;
        return options;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The failure that brought us here is the one to report.
        }
    }
}
