namespace B24Mail.Server.ControlPlane.Faults;

/// <summary>A REST method name with <c>*</c> for any run of characters (<c>mailservice.*</c>, <c>*.get</c>, <c>*</c>), in lower case as method names compare.</summary>
public static class MethodPattern
{
    public const int MaxLength = 200;

    public static bool IsValid(string pattern) =>
        pattern.Length is > 0 and <= MaxLength && pattern.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '*');

    public static bool Matches(string pattern, string name)
    {
        // Greedy match with one backtrack point: linear enough for names of a few dozen characters.
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (p < pattern.Length && pattern[p] == name[n])
            {
                p++;
                n++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
