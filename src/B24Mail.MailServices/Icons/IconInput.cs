using B24Mail.Rest.Values;

namespace B24Mail.MailServices.Icons;

/// <summary>What a client asked for in ICON (docs/decisions.md #13), already checked.</summary>
public abstract record IconInput
{
    /// <summary>null or "" on update: the service has no logo any more.</summary>
    public sealed record Remove : IconInput;

    /// <summary>An existing file ID of this portal.</summary>
    public sealed record Existing(long FileId) : IconInput;

    /// <summary>New image content, decoded and found to be a real image.</summary>
    public sealed record Upload(string FileName, CheckedImage Image, byte[] Content) : IconInput;

    /// <summary>
    /// Reads every accepted form: a file ID (JSON integer or digits), <c>[name, base64]</c>,
    /// <c>{"fileData": [name, base64]}</c>, a bare base64 string, or a multipart file part. Null means invalid.
    /// </summary>
    public static IconInput? Parse(object? value, IconPolicy policy)
    {
        switch (value)
        {
            case null or "":
                return new Remove();
            case long id:
                return id > 0 ? new Existing(id) : null;
            case string s when s.All(char.IsAsciiDigit):
                return ParamConvert.TryId(s, out var fileId) ? new Existing(fileId) : null;
            case string base64:
                return FromBase64(null, base64, policy);
            case UploadedFile file:
                return FromBytes(file.FileName, file.Content, policy);
            case PhpArray array when array.TryGetValue("fileData", out var inner):
                return inner is PhpArray pair ? FromPair(pair, policy) : null;
            case PhpArray array:
                return FromPair(array, policy);
            default:
                return null;
        }
    }

    private static IconInput? FromPair(PhpArray pair, IconPolicy policy)
    {
        // Read positionally, as the real server does: the first value is the name, the second the content.
        var values = pair.Select(p => p.Value).ToList();
        if (values.Count != 2 || values[0] is not string name || values[1] is not string content) return null;
        return FromBase64(name, content, policy);
    }

    private static IconInput? FromBase64(string? name, string base64, IconPolicy policy)
    {
        var text = base64.Trim();
        // Base64 grows data by 4/3; refuse an oversized string before decoding it.
        if (text.Length == 0 || text.Length > (policy.MaxBytes / 3 + 2) * 4 + 1024) return null;
        var buffer = new byte[text.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written)) return null;
        return FromBytes(name, buffer.AsSpan(0, written).ToArray(), policy);
    }

    private static IconInput? FromBytes(string? name, byte[] content, IconPolicy policy)
    {
        var image = ImageCheck.Check(content, policy);
        return image is null ? null : new Upload(IconNames.Clean(name, image.Extension), image, content);
    }
}
