namespace B24Mail.Rest.Identity;

/// <summary>Who is calling, as the dispatcher decided before any method runs.</summary>
public sealed record Caller(Portal Portal, PortalUser User, AuthKind Kind, long CredentialId, IReadOnlySet<string> Scopes, OAuthApp? App = null)
{
    public bool HasAnyScope(IReadOnlyList<string> scopes)
    {
        foreach (var scope in scopes)
        {
            if (Scopes.Contains(scope)) return true;
        }
        return false;
    }
}
