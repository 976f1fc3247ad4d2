using System.Text.Json;
using B24Mail.Rest.Errors;

namespace B24Mail.Server.ControlPlane.Faults;

/// <summary>
/// Reads the body of <c>POST /_b24mail/faults</c> into a rule, or the list of what is wrong with it, each
/// named by its JSON path: unknown keys, an unknown error name, a bad pattern, a probability outside 0..1,
/// times below 1, a rule with nothing to do.
/// </summary>
public static class FaultRuleRequest
{
    public const int MaxDelayMs = 60_000;

    private static readonly string[] Keys = ["method", "portal", "credential", "error", "delay", "drop", "probability", "times"];
    private static readonly string[] CustomKeys = ["status", "error", "error_description"];

    public static (FaultRule? Rule, List<ProblemItem> Problems) Parse(JsonElement body, Func<string, bool> portalExists)
    {
        var problems = new List<ProblemItem>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("$", "A fault rule is a JSON object."));
            return (null, problems);
        }
        foreach (var property in body.EnumerateObject())
        {
            if (!Keys.Contains(property.Name)) problems.Add(new("$." + property.Name, $"Unknown key; a rule takes {string.Join(", ", Keys)}."));
        }

        var method = OptionalText(body, "method", problems);
        if (method is not null)
        {
            method = method.ToLowerInvariant();
            if (!MethodPattern.IsValid(method)) problems.Add(new("$.method", "A method name or pattern: letters, digits, '.', '_' and '*' for any run of characters."));
        }
        var portal = OptionalText(body, "portal", problems);
        if (portal is not null && !portalExists(portal)) problems.Add(new("$.portal", $"No portal '{portal}'."));
        var credential = OptionalText(body, "credential", problems);
        if (credential is not null and not ("webhook" or "oauth")) problems.Add(new("$.credential", "webhook or oauth."));

        string? error = null, description = null;
        int? status = null;
        if (body.TryGetProperty("error", out var errorValue) && errorValue.ValueKind != JsonValueKind.Null)
        {
            if (errorValue.ValueKind == JsonValueKind.String)
            {
                error = errorValue.GetString()!;
                if (!SystemErrors.Named.ContainsKey(error))
                {
                    problems.Add(new("$.error", $"Unknown error; one of {string.Join(", ", SystemErrors.Named.Keys)}, or {{\"status\", \"error\", \"error_description\"}}."));
                }
            }
            else if (errorValue.ValueKind == JsonValueKind.Object)
            {
                (status, error, description) = ParseCustom(errorValue, problems);
            }
            else problems.Add(new("$.error", "The name of a system error, or {\"status\", \"error\", \"error_description\"}."));
        }

        var delay = 0;
        if (body.TryGetProperty("delay", out var delayValue) && delayValue.ValueKind != JsonValueKind.Null)
        {
            if (!delayValue.TryGetInt32(out delay) || delay < 0 || delay > MaxDelayMs) problems.Add(new("$.delay", $"Milliseconds, 0 to {MaxDelayMs}."));
        }
        var drop = false;
        if (body.TryGetProperty("drop", out var dropValue) && dropValue.ValueKind != JsonValueKind.Null)
        {
            if (dropValue.ValueKind is JsonValueKind.True or JsonValueKind.False) drop = dropValue.GetBoolean();
            else problems.Add(new("$.drop", "true or false."));
        }
        if (drop && error is not null) problems.Add(new("$.drop", "A rule either drops the connection or answers an error, not both."));
        if (!drop && error is null && delay == 0 && !problems.Any(p => p.Path is "$.error" or "$.delay" or "$.drop"))
        {
            problems.Add(new("$", "A rule needs something to do: error, delay or drop."));
        }

        var probability = 1.0;
        if (body.TryGetProperty("probability", out var probabilityValue) && probabilityValue.ValueKind != JsonValueKind.Null)
        {
            if (probabilityValue.ValueKind != JsonValueKind.Number || !probabilityValue.TryGetDouble(out probability) || probability is < 0 or > 1)
            {
                problems.Add(new("$.probability", "A number from 0 to 1."));
            }
        }
        int? times = null;
        if (body.TryGetProperty("times", out var timesValue) && timesValue.ValueKind != JsonValueKind.Null)
        {
            if (timesValue.ValueKind == JsonValueKind.Number && timesValue.TryGetInt32(out var n) && n >= 1) times = n;
            else problems.Add(new("$.times", "A whole number of at least 1 (leave it out for no limit)."));
        }

        return problems.Count > 0
            ? (null, problems)
            : (new FaultRule(0, method, portal, credential, error, status, description, delay, drop, probability, times, 0), problems);
    }

    private static (int? Status, string? Error, string? Description) ParseCustom(JsonElement value, List<ProblemItem> problems)
    {
        foreach (var property in value.EnumerateObject())
        {
            if (!CustomKeys.Contains(property.Name)) problems.Add(new("$.error." + property.Name, "Unknown key; a custom error takes status, error, error_description."));
        }
        int? status = null;
        if (value.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var code) && code is >= 400 and <= 599) status = code;
        else problems.Add(new("$.error.status", "An HTTP error status, 400 to 599."));
        string? error = null;
        if (value.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 and <= 100 } text) error = text;
        else problems.Add(new("$.error.error", "The error code, 1 to 100 characters."));
        var description = "";
        if (value.TryGetProperty("error_description", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind == JsonValueKind.String && d.GetString()!.Length <= 1000) description = d.GetString()!;
            else problems.Add(new("$.error.error_description", "Text of at most 1000 characters."));
        }
        return (status, error, description);
    }

    private static string? OptionalText(JsonElement body, string name, List<ProblemItem> problems)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text) return text;
        problems.Add(new("$." + name, "Text, or leave it out to match any."));
        return null;
    }
}
