using B24Mail.Rest.Identity;
using System.Data.Common;

namespace B24Mail.Storage.Identity;

/// <summary>Where a statement's <see cref="SqlIdentityStore.UserColumns"/> are, and the user they make.</summary>
internal sealed record UserOrdinals(int Id, int Name, int LastName, int Email, int Admin, int Active, int Registered, int LastLogin)
{
    public static UserOrdinals Of(DbDataReader r) => new(
        r.GetOrdinal("user_id"), r.GetOrdinal("user_name"), r.GetOrdinal("user_last_name"), r.GetOrdinal("user_email"),
        r.GetOrdinal("user_is_admin"), r.GetOrdinal("user_is_active"), r.GetOrdinal("user_registered_at"), r.GetOrdinal("user_last_login_at"));

    public PortalUser Read(DbDataReader r, long portalId) => new(portalId, r.GetInt64(Id), r.GetString(Name), r.GetString(LastName), r.GetString(Email),
        r.GetBoolean(Admin), r.GetBoolean(Active), SqlIdentityStore.ReadTime(r, Registered), SqlIdentityStore.ReadTime(r, LastLogin));
}
