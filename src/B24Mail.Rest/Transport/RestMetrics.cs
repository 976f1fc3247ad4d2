using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace B24Mail.Rest.Transport;

/// <summary>
/// The core's instruments on the meter every part of the server names <c>B24Mail</c> (an exporter listens to the
/// name, so each part keeps its own instance). Without a listener an instrument costs a flag check.
/// </summary>
public static class RestMetrics
{
    public const string MeterName = "B24Mail";

    // Seconds from 50 µs to 10 s: the SDK's default buckets are for milliseconds and would put every call in the first.
    private static readonly double[] Buckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("b24mail.requests", "{request}", "REST calls by method, HTTP status and error code");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("b24mail.request.duration", "s", "Time to answer a REST call, by method and HTTP status", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    private static readonly Counter<long> RateLimitHits = Meter.CreateCounter<long>("b24mail.ratelimit.hits", "{request}", "Calls refused with QUERY_LIMIT_EXCEEDED");

    private static readonly Counter<long> OperatingLimitHits = Meter.CreateCounter<long>("b24mail.operatinglimit.hits", "{request}", "Calls refused with OPERATION_TIME_LIMIT, by method");

    /// <param name="method">A registered method's name, or <c>unknown</c>: a client must not grow the series by inventing names.</param>
    public static void Record(string method, int status, string? error, TimeSpan elapsed)
    {
        if (!Requests.Enabled && !Duration.Enabled) return;
        var tags = new TagList { { "method", method }, { "status", status } };
        Duration.Record(elapsed.TotalSeconds, tags);
        tags.Add("error", error ?? "");
        Requests.Add(1, tags);
        if (error == "QUERY_LIMIT_EXCEEDED") RateLimitHits.Add(1);
        else if (error == "OPERATION_TIME_LIMIT") OperatingLimitHits.Add(1, new KeyValuePair<string, object?>("method", method));
    }
}
