using B24Mail.Rest.Identity;

namespace B24Mail.Rest.OAuth;

/// <summary>An app just installed, with the one copy of its client_secret the server ever shows.</summary>
public sealed record InstalledApp(OAuthApp App, string ClientSecret);
