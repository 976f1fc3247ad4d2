namespace B24Mail.Testing;

/// <summary>An OAuth app just installed, with the one copy of its client secret the server ever gives.</summary>
public sealed record AppCredentials(string ClientId, string ClientSecret, string Name, IReadOnlyList<string> Scopes, string RedirectUri);
