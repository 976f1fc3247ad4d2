using System.Diagnostics;
using System.Globalization;
using B24Mail.Rest.Dispatch;

namespace B24Mail.Tests.Unit;

/// <summary>The <c>time</c> block's date cache, shared by every request thread.</summary>
public class TimeBlockTests
{
    /// <summary>PHP's date('c') written out independently of the server's code.</summary>
    private static string Expected(DateTimeOffset t, TimeZoneInfo zone) =>
        t.ToOffset(zone.GetUtcOffset(t)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    [Fact]
    public void A_date_has_the_zones_offset_and_no_Z()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("test-0330", TimeSpan.FromMinutes(-210), "test", "test");
        Assert.Equal("2026-01-01T08:30:00-03:30", TimeBlock.FormatDate(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), zone));
        Assert.Equal("2026-01-01T12:00:00+00:00", TimeBlock.FormatDate(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc));
    }

    /// <summary>
    /// Threads format a few alternating seconds at once, so the cache is rewritten while others read it: a
    /// read must never pair one second with another second's text. The unsynchronised tuple this replaced
    /// tore within a fraction of a second here.
    /// </summary>
    [Fact]
    public void Concurrent_formatting_of_different_seconds_always_matches_the_uncached_text()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("test+0545", TimeSpan.FromMinutes(345), "test", "test");
        var seconds = Enumerable.Range(0, 3).Select(i => new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i * 3671)).ToArray();
        var expected = seconds.Select(s => Expected(s, zone)).ToArray();
        var mismatches = 0;
        string? example = null;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, 4).Select(n => new Thread(() =>
        {
            var i = n;
            while (clock.ElapsedMilliseconds < 1500 && Volatile.Read(ref mismatches) == 0)
            {
                for (var k = 0; k < 1000; k++, i++)
                {
                    var at = i % seconds.Length;
                    var text = TimeBlock.FormatDate(seconds[at], zone);
                    if (!ReferenceEquals(text, expected[at]) && text != expected[at])
                    {
                        Interlocked.Increment(ref mismatches);
                        example = $"{seconds[at]:O} gave {text}, expected {expected[at]}";
                    }
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.True(mismatches == 0, example);
    }
}
