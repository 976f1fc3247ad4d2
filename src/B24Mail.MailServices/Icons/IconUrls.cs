using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace B24Mail.MailServices;

/// <summary>
/// Where this server serves a stored icon; get and list return this absolute URL (docs/decisions.md #14). The number
/// after <c>/icon/</c> is the file ID a client may pass as ICON to reuse the logo; the random key makes the
/// URL unguessable, and the name is cosmetic.
/// </summary>
public static class IconUrls
{
    public const string Prefix = "/upload/mailservice/icon";

    public static string For(string baseUrl, IconRef icon) => $"{baseUrl}{Prefix}/{icon.FileId}/{icon.Key}/{Uri.EscapeDataString(icon.FileName)}";

    /// <summary><see cref="For"/> as a JSON string value, built in a pooled buffer rather than a new string per row.</summary>
    public static void Write(Utf8JsonWriter writer, string baseUrl, IconRef icon)
    {
        // An escaped character takes at most 9 (%XX%XX%XX for three UTF-8 bytes of one UTF-16 unit).
        var most = baseUrl.Length + Prefix.Length + 2 + 20 + 1 + icon.Key.Length + 1 + icon.FileName.Length * 9;
        var buffer = ArrayPool<char>.Shared.Rent(most);
        try
        {
            var span = buffer.AsSpan();
            var at = 0;
            Append(span, ref at, baseUrl);
            Append(span, ref at, Prefix);
            span[at++] = '/';
            icon.FileId.TryFormat(span[at..], out var digits, default, CultureInfo.InvariantCulture);
            at += digits;
            span[at++] = '/';
            Append(span, ref at, icon.Key);
            span[at++] = '/';
            if (!Uri.TryEscapeDataString(icon.FileName, span[at..], out var escaped))
            {
                writer.WriteStringValue(For(baseUrl, icon));
                return;
            }
            writer.WriteStringValue(span[..(at + escaped)]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static void Append(Span<char> span, ref int at, string text)
    {
        text.CopyTo(span[at..]);
        at += text.Length;
    }
}
