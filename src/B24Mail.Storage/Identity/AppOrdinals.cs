using B24Mail.Rest.Identity;
using System.Data.Common;

namespace B24Mail.Storage.Identity;

/// <summary>Where a statement's <see cref="SqlOAuthStore.AppColumns"/> are, and the app they make.</summary>
internal sealed record AppOrdinals(int Id, int PortalId, int ClientId, int Name, int Scopes, int RedirectUri, int Code, int Version, int Active, int SecretHash, int SigningKey)
{
    public static AppOrdinals Of(DbDataReader r) => new(
        r.GetOrdinal("app_id"), r.GetOrdinal("app_portal_id"), r.GetOrdinal("app_client_id"), r.GetOrdinal("app_name"), r.GetOrdinal("app_scopes"),
        r.GetOrdinal("app_redirect_uri"), r.GetOrdinal("app_code"), r.GetOrdinal("app_version"), r.GetOrdinal("app_active"),
        r.GetOrdinal("app_secret_hash"), r.GetOrdinal("app_signing_key"));

    public OAuthApp Read(DbDataReader r) => new(r.GetInt64(Id), r.GetInt64(PortalId), r.GetString(ClientId), r.GetString(Name), SqlIdentityStore.ReadScopes(r, Scopes),
        r.GetString(RedirectUri), r.GetString(Code), r.GetInt32(Version), r.GetBoolean(Active), (byte[])r.GetValue(SecretHash), r.IsDBNull(SigningKey) ? null : r.GetString(SigningKey));
}
