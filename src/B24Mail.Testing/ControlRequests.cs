namespace B24Mail.Testing;

/// <summary>The bodies the helpers send, one record per endpoint; internal, as only the JSON they make matters.</summary>
internal static class ControlRequests
{
    internal sealed record NewUser(string Name, string? LastName, string? Email, bool Admin);

    internal sealed record NewWebhook(long User, IReadOnlyList<string> Scopes, string? Title, long? ExpiresIn);

    internal sealed record NewApp(string Name, IReadOnlyList<string> Scopes, string RedirectUri);

    internal sealed record ActiveChange(bool Active);

    internal sealed record AdminChange(bool Admin);

    internal sealed record UserRef(long User);

    internal sealed record UserList(IReadOnlyList<long> Users);

    internal sealed record ClockChange(double? Advance, string? Now);

    internal sealed record PortalChange(string? State, string? License, string? Language);
}
