namespace B24Mail.Server.ControlPlane.WebConsole;

/// <summary>One file of the console as it is served: its bytes, media type and entity tag.</summary>
public sealed record ConsoleFile(byte[] Content, string ContentType, string ETag);
