namespace B24Mail.Rest.Values;

/// <summary>A file part of a multipart body, kept in the parameter tree under its field name.</summary>
public sealed record UploadedFile(string FileName, string? ContentType, byte[] Content);
