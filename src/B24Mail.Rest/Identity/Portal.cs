namespace B24Mail.Rest.Identity;

/// <summary>
/// One Bitrix24 account hosted by this server; every row and file belongs to one. A null rate limit means the
/// server's. The licence type and language make <c>app.info</c>'s <c>LICENSE</c> (docs/decisions.md #24);
/// its state decides whether calls reach it at all (#31).
/// </summary>
public sealed record Portal(long Id, string Code, string MemberId, string Domain, string SiteId, Limits.RateLimit? RateLimit = null, string LicenseType = Licence.DefaultType, string Language = Licence.DefaultLanguage, PortalState State = PortalState.Active)
{
    /// <summary><c>&lt;lang&gt;_&lt;type&gt;</c>, as <c>app.info</c> reports it.</summary>
    public string License => Language + "_" + LicenseType;
}
