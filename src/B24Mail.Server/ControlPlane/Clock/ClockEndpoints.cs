using System.Globalization;
using System.Text.Json;

namespace B24Mail.Server.ControlPlane.Clock;

/// <summary>
/// <c>/_b24mail/clock</c>, mapped only under <c>--clock manual</c> (otherwise 404): <c>GET</c> reads the server's time,
/// <c>POST {"now": "2026-01-01T00:00:00Z"}</c> sets it, <c>POST {"advance": 3600}</c> moves it forward by seconds.
/// </summary>
public static class ClockEndpoints
{
    /// <summary>Ten years: far enough for any token or webhook lifetime, short of overflowing a date.</summary>
    public const double MaxAdvanceSeconds = 10 * 366 * 86400.0;

    public static void MapClock(this RouteGroupBuilder group)
    {
        group.MapGet("/clock", (ManualClock clock) => Results.Text(Json(clock.GetUtcNow()), "application/json"));

        group.MapPost("/clock", async (HttpRequest request, ManualClock clock, ManualClockStore store, CancellationToken cancellationToken) =>
        {
            var (document, problem) = await RequestJson.ReadAsync(request, cancellationToken);
            if (problem is not null) return problem;
            using var _ = document;
            var body = document!.RootElement;
            if (body.ValueKind != JsonValueKind.Object) return Refused(new("$", "An object with now or advance."));
            var problems = new List<ProblemItem>();
            foreach (var property in body.EnumerateObject())
            {
                if (property.Name is not ("now" or "advance")) problems.Add(new("$." + property.Name, "Unknown key; the clock takes now or advance."));
            }
            var hasNow = body.TryGetProperty("now", out var nowValue);
            var hasAdvance = body.TryGetProperty("advance", out var advanceValue);
            if (hasNow == hasAdvance) problems.Add(new("$", "Give either now (an ISO 8601 time with its offset) or advance (seconds)."));
            DateTimeOffset target = default;
            if (hasNow && !(nowValue.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(nowValue.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out target)
                && target.Year is >= 1971 and <= 9000))
            {
                problems.Add(new("$.now", "An ISO 8601 time such as 2026-01-01T00:00:00Z."));
            }
            if (hasAdvance)
            {
                if (advanceValue.ValueKind != JsonValueKind.Number || !advanceValue.TryGetDouble(out var seconds) || seconds < 0 || seconds > MaxAdvanceSeconds)
                {
                    problems.Add(new("$.advance", "Seconds to move forward, 0 to ten years; to go back, set now."));
                }
                else target = clock.GetUtcNow().AddSeconds(seconds);
            }
            if (problems.Count > 0) return Problem.Of(StatusCodes.Status400BadRequest, "The clock change is refused.", problems);
            await store.SetAsync(target);
            return Results.Text(Json(clock.GetUtcNow()), "application/json");
        });
    }

    private static IResult Refused(ProblemItem item) => Problem.Of(StatusCodes.Status400BadRequest, "The clock change is refused.", [item]);

    private static string Json(DateTimeOffset now) => RequestJson.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("clock", "manual");
        json.WriteString("now", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteNumber("unix", now.ToUnixTimeMilliseconds() / 1000.0);
        json.WriteEndObject();
    });
}
