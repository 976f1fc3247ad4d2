namespace B24Mail.Rest.Identity;

public enum AuthKind
{
    Webhook,
    OAuth,
}
