namespace B24Mail.MailServices.Storage;

/// <summary>How a write changes a service's logo, once any new content is already saved as a blob.</summary>
public abstract record IconWrite
{
    public sealed record Remove : IconWrite;

    public sealed record Existing(long FileId) : IconWrite;

    public sealed record New(string Key, string FileName, string ContentType, long Size) : IconWrite;
}
