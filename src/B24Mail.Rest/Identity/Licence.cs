namespace B24Mail.Rest.Identity;

/// <summary>
/// A portal's licence (docs/decisions.md #24): a type such as <c>pro</c> or <c>ent10000</c>, whose leading letters are
/// its family, and the portal's language. Only the families real portals report are accepted, because SDKs
/// map the family onto an enum and refuse anything else.
/// </summary>
public static class Licence
{
    public const string DefaultType = "pro";
    public const string DefaultLanguage = "en";

    public static readonly IReadOnlySet<string> Families = new HashSet<string>(StringComparer.Ordinal) { "free", "basic", "std", "pro", "ent", "project", "nfr", "demo" };

    /// <summary>The type's leading letters: <c>ent10000</c> → <c>ent</c>.</summary>
    public static string Family(string type)
    {
        var end = 0;
        while (end < type.Length && char.IsAsciiLetterLower(type[end])) end++;
        return type[..end];
    }

    /// <summary>Lower-case letters of a known family, then optional digits (the size of the plan).</summary>
    public static bool IsValidType(string type)
    {
        if (type.Length is 0 or > 32) return false;
        var family = Family(type);
        return Families.Contains(family) && type[family.Length..].All(char.IsAsciiDigit);
    }

    /// <summary>A two-letter language code in lower case, as portals use (<c>en</c>, <c>de</c>, <c>ru</c>).</summary>
    public static bool IsValidLanguage(string language) => language.Length == 2 && language.All(char.IsAsciiLetterLower);
}
