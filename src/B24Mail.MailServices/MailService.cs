using System.Text.Json;
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

    /// <summary>
    /// <see cref="ToPhp"/> written straight to JSON, for lists of thousands of rows: the names encoded once, numbers
    /// formatted on the stack, no map, no string per value. The same keys in the same order, every value the same
    /// string or null; <c>MailServiceJsonTests</c> holds the two to each other.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer, string baseUrl)
    {
        writer.WriteStartObject();
        WriteNumber(writer, Names.Id, Id);
        writer.WriteString(Names.SiteId, SiteId);
        writer.WriteString(Names.Active, YesNoText(Active));
        WriteNumber(writer, Names.Sort, Sort);
        writer.WriteString(Names.Name, Name);
        writer.WriteString(Names.Server, Server);
        WriteNumber(writer, Names.Port, Port);
        writer.WriteString(Names.Encryption, YesNoText(Encryption));
        writer.WriteString(Names.Link, Link);
        writer.WritePropertyName(Names.Icon);
        if (Icon is null) writer.WriteNullValue();
        else IconUrls.Write(writer, baseUrl, Icon);
        writer.WriteString(Names.SmtpServer, SmtpServer);
        WriteNumber(writer, Names.SmtpPort, SmtpPort);
        writer.WriteString(Names.SmtpLoginAsImap, YesNoText(SmtpLoginAsImap));
        writer.WriteString(Names.SmtpPasswordAsImap, YesNoText(SmtpPasswordAsImap));
        WriteFlag(writer, Names.SmtpEncryption, SmtpEncryption);
        WriteFlag(writer, Names.UploadOutgoing, UploadOutgoing);
        writer.WriteEndObject();
    }

    /// <summary>A number as the string ToPhp gives (<c>long.ToString()</c>: invariant digits, a leading minus), or null.</summary>
    private static void WriteNumber(Utf8JsonWriter writer, JsonEncodedText name, long? value)
    {
        if (value is not { } number)
        {
            writer.WriteNull(name);
            return;
        }
        Span<byte> digits = stackalloc byte[20];
        // The formatter of System.Buffers.Text: invariant digits without a culture lookup per value (profiled).
        System.Buffers.Text.Utf8Formatter.TryFormat(number, digits, out var length);
        writer.WriteString(name, digits[..length]);
    }

    private static void WriteFlag(Utf8JsonWriter writer, JsonEncodedText name, bool? value)
    {
        if (value is { } flag) writer.WriteString(name, YesNoText(flag));
        else writer.WriteNull(name);
    }

    private static JsonEncodedText YesNoText(bool value) => value ? Names.Yes : Names.No;

    /// <summary>The keys, encoded once; plain ASCII, so encoding cannot differ from what the writer would do.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("ID");
        public static readonly JsonEncodedText SiteId = JsonEncodedText.Encode("SITE_ID");
        public static readonly JsonEncodedText Active = JsonEncodedText.Encode("ACTIVE");
        public static readonly JsonEncodedText Sort = JsonEncodedText.Encode("SORT");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("NAME");
        public static readonly JsonEncodedText Server = JsonEncodedText.Encode("SERVER");
        public static readonly JsonEncodedText Port = JsonEncodedText.Encode("PORT");
        public static readonly JsonEncodedText Encryption = JsonEncodedText.Encode("ENCRYPTION");
        public static readonly JsonEncodedText Link = JsonEncodedText.Encode("LINK");
        public static readonly JsonEncodedText Icon = JsonEncodedText.Encode("ICON");
        public static readonly JsonEncodedText SmtpServer = JsonEncodedText.Encode("SMTP_SERVER");
        public static readonly JsonEncodedText SmtpPort = JsonEncodedText.Encode("SMTP_PORT");
        public static readonly JsonEncodedText SmtpLoginAsImap = JsonEncodedText.Encode("SMTP_LOGIN_AS_IMAP");
        public static readonly JsonEncodedText SmtpPasswordAsImap = JsonEncodedText.Encode("SMTP_PASSWORD_AS_IMAP");
        public static readonly JsonEncodedText SmtpEncryption = JsonEncodedText.Encode("SMTP_ENCRYPTION");
        public static readonly JsonEncodedText UploadOutgoing = JsonEncodedText.Encode("UPLOAD_OUTGOING");
        public static readonly JsonEncodedText Yes = JsonEncodedText.Encode("Y");
        public static readonly JsonEncodedText No = JsonEncodedText.Encode("N");
    }
}
