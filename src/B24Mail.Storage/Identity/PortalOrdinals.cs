using B24Mail.Rest.Identity;
using System.Data.Common;

namespace B24Mail.Storage.Identity;

/// <summary>Where a statement's <see cref="SqlIdentityStore.PortalColumns"/> are, and the portal they make.</summary>
internal sealed record PortalOrdinals(int Id, int Code, int MemberId, int Domain, int SiteId, int RateEnabled, int RateBurst, int RatePerSecond, int License, int Language, int State)
{
    public static PortalOrdinals Of(DbDataReader r) => new(
        r.GetOrdinal("portal_id"), r.GetOrdinal("portal_code"), r.GetOrdinal("portal_member_id"), r.GetOrdinal("portal_domain"), r.GetOrdinal("portal_site_id"),
        r.GetOrdinal("portal_rate_enabled"), r.GetOrdinal("portal_rate_burst"), r.GetOrdinal("portal_rate_per_second"),
        r.GetOrdinal("portal_license_type"), r.GetOrdinal("portal_language"), r.GetOrdinal("portal_state"));

    public Portal Read(DbDataReader r) => new(r.GetInt64(Id), r.GetString(Code), r.GetString(MemberId), r.GetString(Domain), r.GetString(SiteId),
        r.IsDBNull(RateEnabled) ? null : new Rest.Limits.RateLimit(r.GetBoolean(RateEnabled), r.GetDouble(RateBurst), r.GetDouble(RatePerSecond)),
        r.GetString(License), r.GetString(Language), PortalStates.Parse(r.GetString(State)));
}
