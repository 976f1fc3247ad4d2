using Microsoft.Data.Sqlite;
using Npgsql;

namespace B24Mail.Storage;

/// <summary>
/// Tells a failure of the storage itself, which every write meets until an operator acts (a full disk, a
/// read-only folder, a database that is gone), from a failure of one write (a duplicate key), which the
/// caller handles.
/// </summary>
public static class StorageFailures
{
    // errno on Linux and macOS, as .NET puts it in IOException.HResult there; and the Windows HRESULTs.
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;
    private const int ReadOnlyFileSystem = 30;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsWriteProtect = unchecked((int)0x80070013);

    /// <summary>What is wrong with the storage, in a few words, or null when the exception is about this write only.</summary>
    public static string? Condition(Exception exception) => exception switch
    {
        SqliteException sqlite => Sqlite(sqlite.SqliteErrorCode),
        PostgresException postgres => Postgres(postgres.SqlState),
        // Anything else Npgsql throws is about reaching the server: refused, broken, timed out.
        NpgsqlException => "database unreachable",
        UnauthorizedAccessException => "read-only",
        IOException io => io.HResult switch
        {
            NoSpace or QuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull => "disk full",
            ReadOnlyFileSystem or WindowsWriteProtect => "read-only",
            _ => "I/O error",
        },
        _ => null,
    };

    // Extended result codes carry the primary code in their low byte.
    private static string? Sqlite(int code) => (code & 0xFF) switch
    {
        13 => "disk full",
        8 => "read-only",
        10 => "I/O error",
        14 => "cannot open the database file",
        11 or 26 => "database file corrupt",
        // Reported only after the 30-second busy timeout: another process keeps the database locked.
        5 => "database locked",
        _ => null,
    };

    private static string? Postgres(string state) => state switch
    {
        "53100" => "disk full",
        "25006" => "read-only",
        _ when state.StartsWith("53", StringComparison.Ordinal) => "database out of resources",
        _ when state.StartsWith("58", StringComparison.Ordinal) => "I/O error",
        _ when state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" => "database unreachable",
        _ => null,
    };
}
