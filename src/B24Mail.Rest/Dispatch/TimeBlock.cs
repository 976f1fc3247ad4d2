using System.Globalization;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Dispatch;

/// <summary>The eight-field <c>time</c> object of every successful response (decisions #15).</summary>
public sealed record TimeBlock(DateTimeOffset Start, DateTimeOffset Finish, double Processing, long OperatingResetAt, double Operating, TimeZoneInfo Zone) : IPhpSerializable
{
    public static double UnixSeconds(DateTimeOffset t) => Math.Round((t.ToUnixTimeMilliseconds() / 1000.0) + (t.Ticks % TimeSpan.TicksPerMillisecond) / 1e7, 6);

    public PhpArray ToPhp() => ToPhp(includeOperating: true);

    public PhpArray ToPhp(bool includeOperating)
    {
        var start = UnixSeconds(Start);
        var finish = UnixSeconds(Finish);
        var block = PhpArray.From(
            ("start", start),
            ("finish", finish),
            ("duration", Math.Round(finish - start, 6)),
            ("processing", Math.Round(Processing, 6)),
            ("date_start", Format(Start)),
            ("date_finish", Format(Finish)));
        if (includeOperating)
        {
            block.Set("operating_reset_at", OperatingResetAt);
            block.Set("operating", Operating);
        }
        return block;
    }

    private string Format(DateTimeOffset t) => FormatDate(t, Zone);

    /// <summary>PHP's date('c'): the server's offset, never "Z".</summary>
    public static string FormatDate(DateTimeOffset t, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
