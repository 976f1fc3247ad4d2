namespace B24Mail.Testing;

/// <summary>A user of a portal, as the control plane answers it.</summary>
public sealed record PortalUserInfo(long Id, string Name, string LastName, string Email, bool Admin, bool Active);
