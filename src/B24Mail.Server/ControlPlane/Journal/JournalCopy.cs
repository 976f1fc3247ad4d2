using B24Mail.Rest.Values;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary>
/// The journal's own copy of a parameter tree, made on the request's thread so nothing of the request (its file
/// contents, its long strings) outlives it: secrets masked, files reduced to their size, strings cut to
/// <see cref="MaxString"/>, and the whole within a budget of characters shared by an entry's parameters and its
/// batch commands. The copy is immutable once made, so reading it later needs no lock.
/// </summary>
public sealed class JournalCopy
{
    public const int MaxString = 1024;
    public const int Budget = 16 * 1024;
    public const int MaxDepth = 16;

    /// <summary>The key under which a copy notes what it left out.</summary>
    public const string CutKey = "…";

    private int _left = Budget;

    public PhpArray Copy(PhpArray source) => CopyArray(source, 0);

    private PhpArray CopyArray(PhpArray source, int depth)
    {
        var copy = new PhpArray(Math.Min(source.Count, 16));
        var skipped = 0;
        foreach (var (key, value) in source)
        {
            if (_left <= 0 || depth >= MaxDepth)
            {
                skipped++;
                continue;
            }
            var name = Cut(key);
            _left -= name.Length + 4;
            copy.Set(name, JournalMask.IsSecret(key) ? JournalMask.Masked : CopyValue(value, depth));
        }
        if (skipped > 0) copy.Set(CutKey, skipped + " more not kept");
        return copy;
    }

    private object? CopyValue(object? value, int depth)
    {
        switch (value)
        {
            case string s:
                var kept = s.Length > MaxString ? s[..MaxString] : s;
                kept = JournalMask.MaskQuery(kept);
                _left -= kept.Length;
                return s.Length > MaxString ? new JournalText(kept, s.Length) : kept;
            case PhpArray array:
                return CopyArray(array, depth + 1);
            case UploadedFile file:
                _left -= 32;
                return new JournalFile(Cut(file.FileName), file.Content.LongLength);
            case null or bool or long or int or double or decimal:
                _left -= 8;
                return value;
            default:
                // Nothing else arrives from a parser; whatever it is, its text is all that is kept.
                return CopyValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), depth);
        }
    }

    private static string Cut(string s) => s.Length > 256 ? s[..256] : s;
}
