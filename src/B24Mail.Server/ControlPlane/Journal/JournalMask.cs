using System.Text;
using System.Text.RegularExpressions;
using B24Mail.Rest.Values;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>
/// What the journal never shows: the values of credential names, under any key case and at any depth, whether
/// they come as parameters, inside a query string held in a value (a batch command <c>method?auth=…</c>), or in
/// an answer (the OAuth token endpoint's tokens).
/// </summary>
public static partial class JournalMask
{
    public const string Masked = "****";

    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "auth", "access_token", "refresh_token", "client_secret", "code", "password", "auth_connector", "application_token",
    };

    public static bool IsSecret(string key) => SecretNames.Contains(key);

    /// <summary>
    /// A value that holds a query string gets its secret values replaced. Each pair's name is read as PHP reads it
    /// (decoded, <c>.</c> and space as <c>_</c>, the part before <c>[</c>), so <c>a%75th=</c> and <c>AUTH[x]=</c> are caught too.
    /// </summary>
    public static string MaskQuery(string text)
    {
        if (!text.Contains('=')) return text;
        var question = text.IndexOf('?');
        var start = question >= 0 && question < text.IndexOf('=') ? question + 1 : 0;
        var result = new StringBuilder(text.Length);
        result.Append(text, 0, start);
        var changed = false;
        foreach (var pair in text[start..].Split('&'))
        {
            if (result.Length > start) result.Append('&');
            var equals = pair.IndexOf('=');
            if (equals > 0 && PhpQueryParser.Parse(pair[..equals] + "=").Keys.FirstOrDefault() is { } name && IsSecret(name))
            {
                result.Append(pair, 0, equals + 1).Append(Masked);
                changed = true;
            }
            else
            {
                result.Append(pair);
            }
        }
        return changed ? result.ToString() : text;
    }

    /// <summary>
    /// An answer as text (cut, so perhaps not whole JSON): a secret-named member's value is replaced, a string even
    /// when its closing quote was cut off.
    /// </summary>
    public static string MaskAnswer(string text) => AnswerSecret().Replace(text, m => m.Groups[1].Value + "\"" + Masked + "\"");

    [GeneratedRegex("(\"(?:auth|access_token|refresh_token|client_secret|code|password|auth_connector|application_token)\"\\s*:\\s*)(?:\"(?:[^\"\\\\]|\\\\.)*(?:\"|\\\\?$)|[^,}\\]\\s]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerSecret();
}
