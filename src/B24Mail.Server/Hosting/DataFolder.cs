using System.Security.Cryptography;
using B24Mail.Storage.Files;

namespace B24Mail.Server.Hosting;

/// <summary>The data folder, checked before anything is stored in it.</summary>
public static class DataFolder
{
    /// <summary>
    /// Makes the folder if needed and proves it can be written, with a probe file made and removed. A folder
    /// that cannot be written (read-only, full, a file in its place) throws <see cref="IOException"/> with one
    /// line saying so, which the command line prints as it is; otherwise the server would start and fail
    /// every write, or stop half-way through its first start.
    /// </summary>
    public static void EnsureWritable(string path)
    {
        try
        {
            DirectorySync.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-probe.{RandomNumberGenerator.GetHexString(8, lowercase: true)}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write to the data folder {path}: {exception.Message}", exception);
        }
    }
}
