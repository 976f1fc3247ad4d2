namespace B24Mail.MailServices.Storage;

/// <summary>A stored icon file, as the icon endpoint serves it.</summary>
public sealed record IconFile(long FileId, long PortalId, string Key, string FileName, string ContentType, long Size);
