namespace B24Mail.Rest.Dispatch;

/// <summary>
/// One second already formatted for one zone. Immutable, so threads share it by swapping the reference,
/// which is atomic: a reader gets a whole entry or another whole entry, never one second with another's text.
/// </summary>
internal sealed class FormattedSecond(long second, TimeZoneInfo zone, string text)
{
    public readonly long Second = second;
    public readonly TimeZoneInfo Zone = zone;
    public readonly string Text = text;
}
