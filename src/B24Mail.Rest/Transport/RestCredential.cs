namespace B24Mail.Rest.Transport;

/// <summary>The credential a request carried: webhook path segments, an OAuth token, or nothing.</summary>
public abstract record RestCredential
{
    public sealed record Webhook(string UserId, string Secret) : RestCredential;

    public sealed record Token(string AccessToken) : RestCredential;

    public sealed record None : RestCredential
    {
        public static readonly None Instance = new();
    }
}
