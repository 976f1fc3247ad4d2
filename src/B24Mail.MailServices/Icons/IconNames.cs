using System.Security.Cryptography;
using System.Text;

namespace B24Mail.MailServices.Icons;

/// <summary>File names for stored icons: the client's name made safe for a URL and a file system, with the real format's extension.</summary>
public static class IconNames
{
    private const int MaxLength = 100;

    public static string Clean(string? requested, string extension)
    {
        var name = Path.GetFileNameWithoutExtension((requested ?? "").Replace('\\', '/').Split('/').Last());
        var safe = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }
        var stem = safe.ToString().Trim('_');
        if (stem.Length == 0) stem = RandomNumberGenerator.GetHexString(32, lowercase: true);
        if (stem.Length > MaxLength) stem = stem[..MaxLength];
        return stem + extension;
    }

    public static string NewKey() => RandomNumberGenerator.GetHexString(32, lowercase: true);
}
