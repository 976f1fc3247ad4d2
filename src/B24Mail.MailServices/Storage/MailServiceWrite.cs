namespace B24Mail.MailServices.Storage;

/// <summary>The outcome of an update or delete: whether the row existed, and icons no service refers to any more.</summary>
public sealed record MailServiceWrite(bool Found, IReadOnlyList<IconFile> Orphaned);
