using B24Mail.MailServices.Icons;
using B24Mail.Rest.Values;

namespace B24Mail.MailServices;

/// <summary>
/// Every field rule of the scope in one table: its code, the label that <c>mailservice.fields</c> returns
/// and error messages use, and how a value is read. Rules run in the table's order, so several errors
/// come out in field order. An empty value (null or "") on add means "not given"; see README for update.
/// </summary>
public static class MailServiceFields
{
    public const int MaxTextLength = 255;

    private delegate bool Apply(object? value, bool isAdd, MailServiceChanges changes, IconPolicy icons);

    private sealed record Rule(string Code, string Label, Apply? Read)
    {
        public bool Required { get; init; }
    }

    private static readonly Rule[] Rules =
    [
        new("ID", "ID", null),
        new("SITE_ID", "Site", null),
        new("ACTIVE", "Activity", (v, add, c, _) => ReadYesNo(v, b => c.Active = b)),
        new("NAME", "Name", (v, _, c, _) => ReadName(v, c)) { Required = true },
        new("SERVER", "Server Address", (v, _, c, _) => ReadServer(v, c)),
        new("PORT", "Port", (v, _, c, _) => ReadPort(v, c)),
        new("ENCRYPTION", "Secure Connection", (v, add, c, _) => ReadYesNo(v, b => c.Encryption = b)),
        new("LINK", "Web Interface Address", (v, _, c, _) => ReadLink(v, c)),
        new("ICON", "Logo", (v, _, c, icons) => ReadIcon(v, c, icons)),
        new("SORT", "Sorting", (v, _, c, _) => ReadSort(v, c)),
    ];

    /// <summary>The <c>mailservice.fields</c> result: ten keys, in order, no SMTP fields.</summary>
    public static PhpArray Labels()
    {
        var map = new PhpArray();
        foreach (var rule in Rules) map.Set(rule.Code, rule.Label);
        return map;
    }

    public static string LabelOf(string code) => Rules.First(r => r.Code == code).Label;

    /// <summary>Reads the writable fields present in <paramref name="parameters"/>; returns the error messages, if any.</summary>
    public static List<string> Read(PhpArray parameters, bool isAdd, MailServiceChanges changes, IconPolicy icons)
    {
        var errors = new List<string>();
        foreach (var rule in Rules)
        {
            if (rule.Read is null) continue;
            var present = parameters.TryGetValue(rule.Code, out var value);
            var blank = ParamConvert.IsEmpty(value) || (rule.Required && (value is false || value is string s && s.Trim().Length == 0));
            if (rule.Required && (isAdd ? !present || blank : present && blank))
            {
                errors.Add(MailServiceErrors.NameRequired);
                continue;
            }
            if (!present || (isAdd && blank)) continue;
            if (!rule.Read(value, isAdd, changes, icons)) errors.Add(MailServiceErrors.InvalidValue(rule.Label));
        }
        return errors;
    }

    private static bool ReadYesNo(object? value, Action<bool> set)
    {
        if (!ParamConvert.TryYesNo(value, out var yes)) return false;
        set(yes);
        return true;
    }

    private static bool ReadName(object? value, MailServiceChanges changes)
    {
        if (!TryFreeText(value, out var name)) return false;
        changes.Name = name;
        return true;
    }

    private static bool ReadServer(object? value, MailServiceChanges changes)
    {
        if (value is null)
        {
            changes.Server = "";
            return true;
        }
        if (!TryFreeText(value, out var server)) return false;
        changes.Server = server.Trim().ToLowerInvariant();
        return true;
    }

    private static bool ReadPort(object? value, MailServiceChanges changes)
    {
        if (ParamConvert.IsEmpty(value))
        {
            changes.Port = Optional<long?>.Of(null);
            return true;
        }
        if (!ParamConvert.TryInteger(value, out var port) || port is < 1 or > 65535) return false;
        changes.Port = Optional<long?>.Of(port);
        return true;
    }

    private static bool ReadLink(object? value, MailServiceChanges changes)
    {
        if (ParamConvert.IsEmpty(value))
        {
            changes.Link = Optional<string?>.Of(null);
            return true;
        }
        if (!TryFreeText(value, out var link)) return false;
        changes.Link = Optional<string?>.Of(link);
        return true;
    }

    private static bool ReadIcon(object? value, MailServiceChanges changes, IconPolicy icons)
    {
        var icon = IconInput.Parse(value, icons);
        if (icon is null) return false;
        changes.Icon = icon;
        return true;
    }

    private static bool ReadSort(object? value, MailServiceChanges changes)
    {
        if (!ParamConvert.TryInteger(value, out var sort) || sort is < 0 or > int.MaxValue) return false;
        changes.Sort = sort;
        return true;
    }

    /// <summary>
    /// NAME, SERVER and LINK as a real portal takes them (docs/decisions.md #27): any text of at most 255 characters, as
    /// sent. The mail module has no validators on them, so a LINK without a scheme or a NAME with a tab is what
    /// a portal's own list shows, and a migration copying that list must be able to add it back. Only what
    /// the column cannot hold is refused: a NUL, a longer value, an array or object. PHP turns a number or a
    /// boolean into text, and so does this.
    /// </summary>
    private static bool TryFreeText(object? value, out string text)
    {
        switch (value)
        {
            case true:
                text = "1";
                return true;
            case false:
                text = "";
                return true;
        }
        if (!ParamConvert.TryText(value, out text) || text.Contains('\0')) return false;
        // Characters as the database counts them: a pair of UTF-16 surrogates is one.
        return text.Length <= MaxTextLength || text.EnumerateRunes().Count() <= MaxTextLength;
    }
}
