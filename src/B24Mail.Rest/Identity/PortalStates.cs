namespace B24Mail.Rest.Identity;

/// <summary>The words a <see cref="PortalState"/> is stored and given as: <c>active</c>, <c>blocked</c>, <c>free</c>, <c>closed</c>.</summary>
public static class PortalStates
{
    public static string Text(PortalState state) => state switch
    {
        PortalState.Blocked => "blocked",
        PortalState.Free => "free",
        PortalState.Closed => "closed",
        _ => "active",
    };

    public static bool TryParse(string? text, out PortalState state)
    {
        state = text switch
        {
            "active" => PortalState.Active,
            "blocked" => PortalState.Blocked,
            "free" => PortalState.Free,
            "closed" => PortalState.Closed,
            _ => (PortalState)(-1),
        };
        return Enum.IsDefined(state);
    }

    /// <summary>A stored word; one this version does not know reads as closed, so an unknown state never opens a portal.</summary>
    public static PortalState Parse(string text) => TryParse(text, out var state) ? state : PortalState.Closed;
}
