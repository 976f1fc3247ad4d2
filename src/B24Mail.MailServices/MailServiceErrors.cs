using B24Mail.Rest.Errors;

namespace B24Mail.MailServices;

/// <summary>
/// The scope's error texts, all HTTP 400 <c>ERROR_CORE</c> (docs/decisions.md #1). One table per language so a
/// second one (ru) is a new column, not new code.
/// </summary>
public static class MailServiceErrors
{
    private static readonly Dictionary<string, string> English = new()
    {
        ["AccessDenied"] = "Access denied",
        ["NameRequired"] = "Required field \"Name\" not filled",
        ["InvalidValue"] = "Invalid value for \"{0}\"",
        ["IdNotSpecified"] = "Mail service ID not specified",
        ["NotFound"] = "Mail service not found",
        ["ListEmpty"] = "No mail services found",
    };

    public static RestError AccessDenied() => Core(English["AccessDenied"]);
    public static RestError IdNotSpecified => Core(English["IdNotSpecified"]);
    public static RestError NotFound => Core(English["NotFound"]);
    public static RestError ListEmpty => Core(English["ListEmpty"]);
    public static string NameRequired => English["NameRequired"];
    public static string InvalidValue(string label) => string.Format(English["InvalidValue"], label);

    /// <summary>Several field errors in one message, joined as the real server joins them.</summary>
    public static RestError Fields(IEnumerable<string> messages) => Core(string.Join("; ", messages));

    private static RestError Core(string message) => new("ERROR_CORE", message, 400);
}
