using System.Diagnostics.Metrics;

namespace B24Mail.Storage;

/// <summary>
/// Round-trip time of the store's reads and writes, on the server's meter <c>B24Mail</c>. Measured on the system
/// clock whatever the emulated clock says: it is the machine's time that is spent. Without a listener nothing is timed.
/// </summary>
public static class StoreMetrics
{
    // Seconds from 50 µs to 10 s: the SDK's default buckets are for milliseconds and would put every call in the first.
    private static readonly double[] Buckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

    private static readonly Meter Meter = new("B24Mail");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("b24mail.store.duration", "s", "Round trip of a store read or write (a write until its commit is durable)", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    /// <summary>A start to pass to <see cref="Read"/> or <see cref="Write"/>; 0 when nobody listens, and then they do nothing.</summary>
    public static long Start() => Duration.Enabled ? TimeProvider.System.GetTimestamp() : 0;

    public static void Read(string store, long started) => Record(store, "read", started);

    public static void Write(string store, long started) => Record(store, "write", started);

    private static void Record(string store, string operation, long started)
    {
        if (started == 0) return;
        Duration.Record(TimeProvider.System.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("store", store), new KeyValuePair<string, object?>("operation", operation));
    }
}
