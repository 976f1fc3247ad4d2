using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace B24Mail.Server.ControlPlane;

/// <summary>
/// The control plane's one way of reporting an error: RFC 7807 problem details (<c>application/problem+json</c>)
/// with <c>status</c>, <c>title</c> and <c>detail</c>, and, for a refused document, <c>errors</c>: one entry per
/// problem, each naming its place in the document as a JSON path (<c>$.portals[0].webhooks[1].user</c>).
/// </summary>
public static class Problem
{
    public const string ContentType = "application/problem+json";

    public static IResult Of(int status, string detail, IReadOnlyList<ProblemItem>? errors = null) => new ProblemResult(status, detail, errors);

    public static Task WriteAsync(HttpContext context, int status, string detail, IReadOnlyList<ProblemItem>? errors = null) =>
        new ProblemResult(status, detail, errors).ExecuteAsync(context);

    private sealed class ProblemResult(int status, string detail, IReadOnlyList<ProblemItem>? errors) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = ContentType;
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("type", "about:blank");
                json.WriteString("title", ReasonPhrases.GetReasonPhrase(status));
                json.WriteNumber("status", status);
                json.WriteString("detail", detail);
                if (errors is { Count: > 0 })
                {
                    json.WriteStartArray("errors");
                    foreach (var error in errors)
                    {
                        json.WriteStartObject();
                        json.WriteString("path", error.Path);
                        json.WriteString("message", error.Message);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
        }
    }
}
