using System.Runtime.InteropServices;

namespace B24Mail.Storage.Files;

/// <summary>
/// Makes a folder's entries durable. A rename or a new file is an entry in its folder, and on Linux and
/// macOS the entry reaches the disk only when the folder itself is synced: without it, a power cut can keep
/// a database row that names a file while losing the file. .NET opens no folder as a file, so this asks libc.
/// On Windows, NTFS journals its folder entries and there is nothing to do.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Interrupted = 4;
    private const int NotFound = 2;
    private const int NotAFolder = 20;
    // Some file systems (network, FUSE) cannot sync a folder and say so; their entries are as durable as they get.
    private const int Invalid = 22;
    private const int NotSupported = 95;
    private const int NotSupportedMac = 45;

    /// <summary>Syncs <paramref name="folder"/>'s entries to disk.</summary>
    public static void Flush(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        // O_RDONLY only: O_DIRECTORY's value differs between platforms, and a read-only open of a folder works everywhere.
        int handle;
        do
        {
            handle = Open(folder, ReadOnly);
        }
        while (handle < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        if (handle < 0) throw Failure(Marshal.GetLastPInvokeError(), folder);
        try
        {
            int result;
            do
            {
                result = FSync(handle);
            }
            while (result < 0 && Marshal.GetLastPInvokeError() == Interrupted);
            var error = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (result < 0 && error is not (Invalid or NotSupported or NotSupportedMac)) throw Failure(error, folder);
        }
        finally
        {
            Close(handle);
        }
    }

    /// <summary>
    /// Creates <paramref name="folder"/> and any missing parents, syncing the parent of each one it creates,
    /// so a new folder is not lost with the file that is then written into it.
    /// </summary>
    public static void CreateDirectory(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (Directory.Exists(folder)) return;
        var missing = new Stack<string>();
        for (var current = folder; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current)) missing.Push(current);
        Directory.CreateDirectory(folder);
        foreach (var created in missing) Flush(Path.GetDirectoryName(created)!);
    }

    private static IOException Failure(int error, string folder)
    {
        var message = $"Cannot sync the folder '{folder}': {Marshal.GetPInvokeErrorMessage(error)}";
        return error is NotFound or NotAFolder ? new DirectoryNotFoundException(message) : new IOException(message, error);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int handle);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int handle);
}
