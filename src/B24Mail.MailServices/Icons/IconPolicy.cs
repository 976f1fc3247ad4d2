using Microsoft.Extensions.Configuration;

namespace B24Mail.MailServices.Icons;

/// <summary>What an uploaded logo may be. Named in README: PNG, JPEG, GIF or WebP, decoded in full, within these limits.</summary>
public sealed class IconPolicy
{
    /// <summary>Largest accepted file, in bytes (after base64 decoding).</summary>
    [ConfigurationKeyName("IconMaxBytes")]
    public int MaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest accepted width or height, in pixels; bounds the memory a decode takes.</summary>
    [ConfigurationKeyName("IconMaxDimension")]
    public int MaxDimension { get; set; } = 2048;
}
