namespace B24Mail.MailServices;

/// <summary>A stored icon as a service row refers to it.</summary>
public sealed record IconRef(long FileId, long PortalId, string Key, string FileName);
