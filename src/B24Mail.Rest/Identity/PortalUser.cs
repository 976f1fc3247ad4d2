namespace B24Mail.Rest.Identity;

/// <summary>A user of a portal. The two times are null only for users made before they were recorded.</summary>
public sealed record PortalUser(long PortalId, long Id, string Name, string LastName, string Email, bool IsAdmin, bool IsActive, DateTimeOffset? RegisteredAt = null, DateTimeOffset? LastLoginAt = null);
