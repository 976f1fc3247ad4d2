namespace B24Mail.MailServices;

/// <summary>
/// Where this server serves a stored icon; get and list return this absolute URL (docs/decisions.md #14). The number
/// after <c>/icon/</c> is the file ID a client may pass as ICON to reuse the logo; the random key makes the
/// URL unguessable, and the name is cosmetic.
/// </summary>
public static class IconUrls
{
    public const string Prefix = "/upload/mailservice/icon";

    public static string For(string baseUrl, IconRef icon) => $"{baseUrl}{Prefix}/{icon.FileId}/{icon.Key}/{Uri.EscapeDataString(icon.FileName)}";
}
