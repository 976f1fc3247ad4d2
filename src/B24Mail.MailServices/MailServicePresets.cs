namespace B24Mail.MailServices;

/// <summary>The services a new portal starts with (docs/decisions.md #12; IMAP hosts from docs/protocol.md §9.4).</summary>
public static class MailServicePresets
{
    public static IReadOnlyList<MailServiceChanges> All { get; } =
    [
        Imap("gmail", 100, "imap.gmail.com", "https://mail.google.com/"),
        Imap("outlook.com", 200, "imap-mail.outlook.com", "https://outlook.live.com/"),
        Imap("icloud", 300, "imap.mail.me.com", "https://www.icloud.com/mail/"),
        Imap("office365", 400, "outlook.office365.com", "https://outlook.office.com/"),
        Imap("exchange", 500, null, null),
        Imap("yahoo", 600, "imap.mail.yahoo.com", "https://mail.yahoo.com/"),
        Imap("aol", 700, "imap.aol.com", "https://mail.aol.com/"),
        Imap("other", 800, null, null),
    ];

    private static MailServiceChanges Imap(string name, long sort, string? server, string? link) => new()
    {
        Name = name,
        Sort = sort,
        Server = server ?? "",
        Port = Optional<long?>.Of(server is null ? null : 993),
        Encryption = server is not null,
        Link = Optional<string?>.Of(link),
    };
}
