namespace B24Mail.MailServices;

/// <summary>Where this server serves a stored icon; get and list return this absolute URL (decisions #14).</summary>
public static class IconUrls
{
    public const string Prefix = "/upload/mailservice/icon";

    public static string For(string baseUrl, IconRef icon) => $"{baseUrl}{Prefix}/{icon.PortalId}/{icon.Key}/{Uri.EscapeDataString(icon.FileName)}";
}
