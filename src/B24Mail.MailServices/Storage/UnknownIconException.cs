namespace B24Mail.MailServices.Storage;

/// <summary>An existing file ID that is not an icon of this portal.</summary>
public sealed class UnknownIconException(long fileId) : Exception($"Icon file {fileId} does not exist in this portal.");
