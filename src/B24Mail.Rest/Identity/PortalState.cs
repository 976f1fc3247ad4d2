namespace B24Mail.Rest.Identity;

/// <summary>Whether a portal answers calls, and with which error if not (docs/decisions.md #31).</summary>
public enum PortalState
{
    Active,
    Blocked,
    Free,
    Closed,
}
