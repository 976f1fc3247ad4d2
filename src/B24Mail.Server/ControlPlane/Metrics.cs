using B24Mail.Rest.Transport;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace B24Mail.Server.ControlPlane;

/// <summary>
/// The server's metrics: everything on the meter named <c>B24Mail</c> (each part of the server keeps its own
/// instance of it, so one name picks up all of them), scraped in Prometheus text at <c>/_b24mail/metrics</c> and,
/// when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, pushed over OTLP (the SDK reads the other
/// <c>OTEL_*</c> variables itself: protocol, headers, export interval).
/// </summary>
public static class Metrics
{
    public static IServiceCollection AddB24MailMetrics(this IServiceCollection services, IConfiguration configuration, bool scrape)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!otlp && !scrape) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("b24mail", serviceVersion: ServerInfo.Version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(RestMetrics.MeterName);
                // Scrapes are rare and guarded; a cached answer would only hide a counter that just moved.
                if (scrape) metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp) metrics.AddOtlpExporter();
            });
        return services;
    }

    public static void MapMetrics(this RouteGroupBuilder group) => group.MapPrometheusScrapingEndpoint("/metrics");
}
