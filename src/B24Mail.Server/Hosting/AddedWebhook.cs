namespace B24Mail.Server.Hosting;

/// <summary>A webhook just made: its ID and its path <c>/rest/{user}/{secret}/</c>, the only time the secret is known.</summary>
public sealed record AddedWebhook(long Id, string Path);
