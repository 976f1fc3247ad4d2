using System.Data.Common;

namespace B24Mail.MailServices.Storage;

/// <summary>Where the columns of the store's service statement are, and the service a row makes; the icon's columns are named icon_*.</summary>
internal sealed record ServiceOrdinals(int Id, int SiteId, int Active, int Sort, int Name, int Server, int Port, int Encryption, int Link,
    int IconId, int IconPortalId, int IconFileKey, int IconFileName,
    int SmtpServer, int SmtpPort, int SmtpLoginAsImap, int SmtpPasswordAsImap, int SmtpEncryption, int UploadOutgoing)
{
    public static ServiceOrdinals Of(DbDataReader r) => new(
        r.GetOrdinal("id"), r.GetOrdinal("site_id"), r.GetOrdinal("active"), r.GetOrdinal("sort"), r.GetOrdinal("name"), r.GetOrdinal("server"),
        r.GetOrdinal("port"), r.GetOrdinal("encryption"), r.GetOrdinal("link"),
        r.GetOrdinal("icon_id"), r.GetOrdinal("icon_portal_id"), r.GetOrdinal("icon_file_key"), r.GetOrdinal("icon_file_name"),
        r.GetOrdinal("smtp_server"), r.GetOrdinal("smtp_port"), r.GetOrdinal("smtp_login_as_imap"), r.GetOrdinal("smtp_password_as_imap"),
        r.GetOrdinal("smtp_encryption"), r.GetOrdinal("upload_outgoing"));

    public MailService Read(DbDataReader r) => new(
        Id: r.GetInt64(Id),
        SiteId: r.GetString(SiteId),
        Active: r.GetBoolean(Active),
        Sort: r.GetInt64(Sort),
        Name: r.GetString(Name),
        Server: r.GetString(Server),
        Port: r.IsDBNull(Port) ? null : r.GetInt64(Port),
        Encryption: r.GetBoolean(Encryption),
        Link: r.IsDBNull(Link) ? null : r.GetString(Link),
        Icon: r.IsDBNull(IconId) ? null : new IconRef(r.GetInt64(IconId), r.GetInt64(IconPortalId), r.GetString(IconFileKey), r.GetString(IconFileName)),
        SmtpServer: r.IsDBNull(SmtpServer) ? null : r.GetString(SmtpServer),
        SmtpPort: r.IsDBNull(SmtpPort) ? null : r.GetInt64(SmtpPort),
        SmtpLoginAsImap: r.GetBoolean(SmtpLoginAsImap),
        SmtpPasswordAsImap: r.GetBoolean(SmtpPasswordAsImap),
        SmtpEncryption: r.IsDBNull(SmtpEncryption) ? null : r.GetBoolean(SmtpEncryption),
        UploadOutgoing: r.IsDBNull(UploadOutgoing) ? null : r.GetBoolean(UploadOutgoing));
}
