using System.Text.Json;

namespace B24Mail.Server.ControlPlane.Accounts;

/// <summary>
/// The keys of a small JSON object body, each read with its check; every problem is kept with its JSON path, so a
/// refused body is answered with all of them at once, before anything is written.
/// </summary>
public sealed class BodyFields
{
    private readonly JsonElement _body;
    private readonly bool _isObject;

    public BodyFields(JsonElement body, params string[] keys)
    {
        _body = body;
        _isObject = body.ValueKind == JsonValueKind.Object;
        if (!_isObject)
        {
            Problems.Add(new("$", $"An object with {string.Join(", ", keys)}."));
            return;
        }
        foreach (var property in body.EnumerateObject())
        {
            if (!keys.Contains(property.Name)) Problems.Add(new("$." + property.Name, $"Unknown key; this takes {string.Join(", ", keys)}."));
        }
    }

    public List<ProblemItem> Problems { get; } = [];

    /// <summary>The 400 answer naming every problem, or null when there is none.</summary>
    public IResult? Refused(string detail) => Problems.Count == 0 ? null : Problem.Of(StatusCodes.Status400BadRequest, detail, Problems);

    public string? Text(string name, bool required, Func<string, bool>? valid = null, string takes = "A non-empty string.")
    {
        if (!Find(name, required, takes, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && (valid is null || valid(text))) return text;
        return Refuse(name, takes);
    }

    public bool? Flag(string name, bool required)
    {
        if (!Find(name, required, "true or false.", out var value)) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Refuse(name, "true or false.");
        return null;
    }

    /// <summary>A positive whole number: an ID, or seconds.</summary>
    public long? Number(string name, bool required)
    {
        if (!Find(name, required, "A positive whole number.", out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number > 0) return number;
        Refuse(name, "A positive whole number.");
        return null;
    }

    /// <summary>Scope codes, as <c>--scope</c> takes them: at least one, each lower-case letters, digits and '_'.</summary>
    public string[]? Scopes(string name)
    {
        const string takes = "An array of scope codes such as [\"mailservice\", \"user\"].";
        if (!Find(name, required: true, takes, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() is > 0 and <= 100
            && value.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String && Hosting.PortalAdmin.IsScope(s.GetString()!)))
        {
            return value.EnumerateArray().Select(s => s.GetString()!).Distinct().ToArray();
        }
        Refuse(name, takes);
        return null;
    }

    /// <summary>User IDs (positive whole numbers, at most 1,000, as <c>app restrict --users</c>); empty is allowed.</summary>
    public long[]? Ids(string name)
    {
        const string takes = "An array of user IDs such as [1, 2]; [] for every user.";
        if (!Find(name, required: true, takes, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() <= 1000
            && value.EnumerateArray().All(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var id) && id > 0))
        {
            return value.EnumerateArray().Select(i => i.GetInt64()).ToArray();
        }
        Refuse(name, takes);
        return null;
    }

    private bool Find(string name, bool required, string takes, out JsonElement value)
    {
        value = default;
        if (!_isObject) return false;
        if (_body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null) return true;
        if (required) Problems.Add(new("$." + name, "Required. " + takes));
        return false;
    }

    private string? Refuse(string name, string takes)
    {
        Problems.Add(new("$." + name, takes));
        return null;
    }
}
