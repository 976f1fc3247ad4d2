namespace B24Mail.MailServices;

/// <summary>A value that may be set to null, which a nullable alone cannot tell apart from "not given".</summary>
public readonly record struct Optional<T>(bool IsSet, T Value)
{
    public static Optional<T> Of(T value) => new(true, value);
}
