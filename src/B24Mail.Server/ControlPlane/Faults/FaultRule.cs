using System.Text.Json;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Faults;
using B24Mail.Rest.Identity;

namespace B24Mail.Server.ControlPlane.Faults;

/// <summary>
/// One fault rule: which calls (a method pattern, a portal code, a credential kind; null matches any), what
/// happens (a named system error, a custom error when <see cref="Status"/> is set, a delay, a dropped
/// connection), how often (<see cref="Probability"/>, at most <see cref="Times"/>), and how often it fired.
/// </summary>
public sealed record FaultRule(long Id, string? Method, string? Portal, string? Credential, string? Error, int? Status, string? Description,
    int DelayMs, bool Drop, double Probability, int? Times, long Fired)
{
    public bool UsedUp => Times is { } times && Fired >= times;

    public bool Matches(string methodName, Caller caller) =>
        (Portal is null || Portal == caller.Portal.Code)
        && (Credential is null || Credential == (caller.Kind == AuthKind.Webhook ? "webhook" : "oauth"))
        && (Method is null || MethodPattern.Matches(Method, methodName.ToLowerInvariant()));

    /// <summary>The error a named rule answers with is the server's own, envelope and status exactly.</summary>
    public Fault ToFault() => new(
        Error is null ? null : Status is { } status ? new RestError(Error, Description ?? "", status) : SystemErrors.Named[Error](),
        TimeSpan.FromMilliseconds(DelayMs), Drop);

    /// <summary>What the hit counter names the rule's effect by: its error, or <c>drop</c>, or <c>delay</c>.</summary>
    public string HitTag => Drop ? "drop" : Error ?? "delay";

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("id", Id);
        WriteOrNull(json, "method", Method);
        WriteOrNull(json, "portal", Portal);
        WriteOrNull(json, "credential", Credential);
        if (Error is null) json.WriteNull("error");
        else if (Status is { } status)
        {
            json.WriteStartObject("error");
            json.WriteNumber("status", status);
            json.WriteString("error", Error);
            json.WriteString("error_description", Description ?? "");
            json.WriteEndObject();
        }
        else json.WriteString("error", Error);
        json.WriteNumber("delay", DelayMs);
        json.WriteBoolean("drop", Drop);
        json.WriteNumber("probability", Probability);
        if (Times is { } times) json.WriteNumber("times", times);
        else json.WriteNull("times");
        json.WriteNumber("fired", Fired);
        json.WriteEndObject();
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }
}
