namespace B24Mail.Storage;

/// <summary>Where the data lives: the data folder, or PostgreSQL, and where logo files go.</summary>
public sealed class StorageOptions
{
    public string Data { get; set; } = "b24mail-data";

    /// <summary>An Npgsql connection string; without one the data folder holds a SQLite file.</summary>
    public string? Postgres { get; set; }

    /// <summary><c>folder</c> or <c>database</c>; unset, logos go where the data goes.</summary>
    public string? IconStore { get; set; }

    public string? IconFolder { get; set; }

    public string DataPath => Path.GetFullPath(Data);

    public string DatabasePath => Path.Combine(DataPath, "b24mail.db");

    public bool OnPostgres => !string.IsNullOrEmpty(Postgres);

    public bool IconsInDatabase => IconStore is null ? OnPostgres : IconStore == "database";

    public string IconFolderPath => Path.GetFullPath(IconFolder ?? DataPath);

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem() =>
        IconStore is not (null or "folder" or "database") ? "--icon-store (B24MAIL_ICONSTORE) takes folder or database."
        : string.IsNullOrWhiteSpace(Data) ? "--data (B24MAIL_DATA) takes a folder."
        : null;
}
