using System.Globalization;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Dispatch;

/// <summary>The eight-field <c>time</c> object of every successful response (docs/decisions.md #15).</summary>
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

    // Every response formats two dates, and under load most fall in the same second as the last one.
    // Request threads share it without a lock: the entry is immutable and replaced whole (a value tuple
    // here could be read half-written, pairing one second with another second's text).
    private static FormattedSecond? _lastDate;

    /// <summary>PHP's date('c'): the server's offset, never "Z".</summary>
    public static string FormatDate(DateTimeOffset t, TimeZoneInfo zone)
    {
        var second = t.ToUnixTimeSeconds();
        var last = Volatile.Read(ref _lastDate);
        if (last is not null && last.Second == second && ReferenceEquals(last.Zone, zone)) return last.Text;
        var text = Format(t, zone);
        // Volatile: the entry's fields are written before another thread can see the reference.
        Volatile.Write(ref _lastDate, new FormattedSecond(second, zone, text));
        return text;
    }

    private static string Format(DateTimeOffset t, TimeZoneInfo zone)
    {
        var local = t.ToOffset(zone.GetUtcOffset(t));
        return string.Create(CultureInfo.InvariantCulture, $@"{local.DateTime:yyyy-MM-dd'T'HH:mm:ss}{(local.Offset < TimeSpan.Zero ? '-' : '+')}{local.Offset:hh\:mm}");
    }
}
