using System.Data.Common;

namespace B24Mail.MailServices.Storage;

/// <summary>Where the store's icon columns are, and the icon file a row makes.</summary>
internal sealed record IconOrdinals(int Id, int PortalId, int FileKey, int FileName, int ContentType, int Size)
{
    public static IconOrdinals Of(DbDataReader r) => new(
        r.GetOrdinal("id"), r.GetOrdinal("portal_id"), r.GetOrdinal("file_key"), r.GetOrdinal("file_name"), r.GetOrdinal("content_type"), r.GetOrdinal("size"));

    public IconFile Read(DbDataReader r) => new(r.GetInt64(Id), r.GetInt64(PortalId), r.GetString(FileKey), r.GetString(FileName), r.GetString(ContentType), r.GetInt64(Size));
}
