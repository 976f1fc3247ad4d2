using System.Globalization;

namespace B24Mail.Rest.Values;

/// <summary>
/// The converters handlers read fields through. Each accepts exactly what docs/decisions.md allows for
/// its kind: form values arrive as strings, JSON keeps its own types, and anything else is refused.
/// </summary>
public static class ParamConvert
{
    /// <summary>Y/N, any case; true/false; 1/0; "1"/"0"; "true"/"false" (docs/decisions.md #5).</summary>
    public static bool TryYesNo(object? value, out bool yes)
    {
        yes = false;
        switch (value)
        {
            case bool b:
                yes = b;
                return true;
            case long l when l is 0 or 1:
                yes = l == 1;
                return true;
            case string s:
                switch (s.ToLowerInvariant())
                {
                    case "y" or "1" or "true":
                        yes = true;
                        return true;
                    case "n" or "0" or "false":
                        return true;
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>A JSON integer (or an integral float) or a string of digits with an optional sign (docs/decisions.md #6).</summary>
    public static bool TryInteger(object? value, out long number)
    {
        number = 0;
        switch (value)
        {
            case long l:
                number = l;
                return true;
            case double d when double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < 9e15:
                number = (long)d;
                return true;
            case string s:
                var text = s.Trim();
                if (text.Length == 0 || text.Length > 20) return false;
                var start = text[0] is '-' or '+' ? 1 : 0;
                if (start == text.Length) return false;
                for (var i = start; i < text.Length; i++)
                {
                    if (text[i] is < '0' or > '9') return false;
                }
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
            default:
                return false;
        }
    }

    /// <summary>A scalar as PHP would turn it into a string; arrays, files and null are not text.</summary>
    public static bool TryText(object? value, out string text)
    {
        switch (value)
        {
            case string s:
                text = s;
                return true;
            case long l:
                text = l.ToString(CultureInfo.InvariantCulture);
                return true;
            case double d when double.IsFinite(d):
                text = d.ToString("R", CultureInfo.InvariantCulture);
                return true;
            default:
                text = "";
                return false;
        }
    }

    /// <summary>An identifier: a positive integer, as JSON number or digits.</summary>
    public static bool TryId(object? value, out long id) => TryInteger(value, out id) && id > 0;

    public static bool IsEmpty(object? value) => value is null || value is string { Length: 0 };

    /// <summary>
    /// PHP's truth, which the common methods and <c>batch</c> apply to their flags (docs/decisions.md #29): null, false,
    /// 0, 0.0, "", "0" and an empty array are false; everything else, "false" and "N" included, is true.
    /// </summary>
    public static bool IsPhpTrue(object? value) => value switch
    {
        null or false => false,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0 && s != "0",
        PhpArray a => a.Count > 0,
        _ => true,
    };
}
