using B24Mail.Rest.Values;

namespace B24Mail.MailServices;

/// <summary>One mail service row (docs/protocol.md §9.1). The SMTP fields cannot be set over REST but are returned.</summary>
public sealed record MailService(
    long Id,
    string SiteId,
    bool Active,
    long Sort,
    string Name,
    string Server,
    long? Port,
    bool Encryption,
    string? Link,
    IconRef? Icon,
    string? SmtpServer = null,
    long? SmtpPort = null,
    bool SmtpLoginAsImap = false,
    bool SmtpPasswordAsImap = false,
    bool? SmtpEncryption = null,
    bool? UploadOutgoing = null)
{
    /// <summary>The read shape: every value a string or null, keys in the documented order (docs/decisions.md #10).</summary>
    public PhpArray ToPhp(string baseUrl) => PhpArray.From(
        ("ID", Id.ToString()),
        ("SITE_ID", SiteId),
        ("ACTIVE", YesNo(Active)),
        ("SORT", Sort.ToString()),
        ("NAME", Name),
        ("SERVER", Server),
        ("PORT", Port?.ToString()),
        ("ENCRYPTION", YesNo(Encryption)),
        ("LINK", Link),
        ("ICON", Icon is null ? null : IconUrls.For(baseUrl, Icon)),
        ("SMTP_SERVER", SmtpServer),
        ("SMTP_PORT", SmtpPort?.ToString()),
        ("SMTP_LOGIN_AS_IMAP", YesNo(SmtpLoginAsImap)),
        ("SMTP_PASSWORD_AS_IMAP", YesNo(SmtpPasswordAsImap)),
        ("SMTP_ENCRYPTION", SmtpEncryption is { } e ? YesNo(e) : null),
        ("UPLOAD_OUTGOING", UploadOutgoing is { } u ? YesNo(u) : null));

    private static string YesNo(bool value) => value ? "Y" : "N";
}
